package dev.ragline.ingestion;

import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeVisitor;

/**
 * HTML to text with jsoup: scripts, styles, navigation and other non-content elements are dropped, block
 * elements become paragraphs, {@code h1}–{@code h6} open sections, {@code <title>} becomes the title.
 */
final class HtmlParser {
    /** Elements whose content is not document text. */
    private static final String DROPPED = "script, style, nav, noscript, template, iframe, svg, canvas, object, form, button, select";
    private static final Set<String> BLOCKS = Set.of("p", "div", "section", "article", "main", "aside", "header",
            "footer", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
            "figure", "figcaption", "address", "details", "summary", "hr", "fieldset");
    private static final Set<String> LINES = Set.of("li", "tr", "br");

    private HtmlParser() {
    }

    static ParsedDocument parse(String html) {
        return parse(html, IngestionLimits.DEFAULT_MAX_NESTING_DEPTH);
    }

    static ParsedDocument parse(String html, int maxDepth) {
        Document document = Jsoup.parse(html);
        int[] max = {0};
        // jsoup's parser and traversal are iterative; the limit keeps documents that are mostly nesting out.
        document.traverse((node, depth) -> max[0] = Math.max(max[0], depth));
        if (max[0] > maxDepth) throw MarkdownParser.nestedTooDeep("HTML", max[0], maxDepth);
        String title = document.title().strip();
        document.select(DROPPED).remove();
        TextAssembler out = new TextAssembler();
        document.body().traverse(new Walker(out));
        return out.build(title);
    }

    private static final class Walker implements NodeVisitor {
        private final TextAssembler out;
        private int preDepth;

        Walker(TextAssembler out) {
            this.out = out;
        }

        @Override
        public void head(Node node, int depth) {
            if (node instanceof TextNode text) {
                if (preDepth > 0) out.literal(text.getWholeText());
                else out.inline(text.text());
            } else if (node instanceof Element element) {
                String tag = element.normalName();
                if (headingLevel(tag) > 0) out.startHeading(headingLevel(tag));
                else if (BLOCKS.contains(tag)) out.paragraphBreak();
                else if (LINES.contains(tag)) out.lineBreak();
                else if (tag.equals("td") || tag.equals("th")) out.inline(" ");
                if (tag.equals("li")) out.inline("- ");
                if (tag.equals("pre")) preDepth++;
            }
        }

        @Override
        public void tail(Node node, int depth) {
            if (node instanceof Element element) {
                String tag = element.normalName();
                if (headingLevel(tag) > 0) out.endHeading();
                else if (BLOCKS.contains(tag)) out.paragraphBreak();
                else if (tag.equals("li")) out.lineBreak();
                if (tag.equals("pre")) preDepth--;
            }
        }

        private static int headingLevel(String tag) {
            return tag.length() == 2 && tag.charAt(0) == 'h' && tag.charAt(1) >= '1' && tag.charAt(1) <= '6'
                    ? tag.charAt(1) - '0' : 0;
        }
    }
}
