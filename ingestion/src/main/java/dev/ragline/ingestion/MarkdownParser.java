package dev.ragline.ingestion;

import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.BlockQuote;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.Text;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;
import org.jsoup.Jsoup;

/** Markdown (CommonMark) to text: headings open sections, list items stay one per line, code is kept verbatim. */
final class MarkdownParser {
    private static final Parser PARSER = Parser.builder().build();

    private MarkdownParser() {
    }

    static ParsedDocument parse(String markdown) {
        return parse(markdown, IngestionLimits.DEFAULT_MAX_NESTING_DEPTH);
    }

    /** The tree walk below recurses per nesting level, so the depth is measured first, without recursion. */
    static ParsedDocument parse(String markdown, int maxDepth) {
        Node document = PARSER.parse(markdown);
        int depth = depth(document);
        if (depth > maxDepth) throw nestedTooDeep("Markdown", depth, maxDepth);
        TextAssembler out = new TextAssembler();
        document.accept(new Walker(out));
        return out.build("");
    }

    static InvalidEventException nestedTooDeep(String format, int depth, int maxDepth) {
        return new InvalidEventException(format + " nests " + depth
                + " levels deep, over the limit of " + maxDepth + " (ragline.ingestion.max-nesting-depth)");
    }

    /** Depth of the node tree (iterative). */
    private static int depth(Node root) {
        int depth = 0, max = 0;
        Node node = root;
        while (node != null) {
            if (node.getFirstChild() != null) {
                node = node.getFirstChild();
                max = Math.max(max, ++depth);
                continue;
            }
            while (node != null && node != root && node.getNext() == null) {
                node = node.getParent();
                depth--;
            }
            if (node == null || node == root) break;
            node = node.getNext();
        }
        return max;
    }

    private static final class Walker extends AbstractVisitor {
        private final TextAssembler out;
        private int listDepth;
        /** List marker waiting for the item's first text. */
        private String marker;

        Walker(TextAssembler out) {
            this.out = out;
        }

        private void write(String text) {
            if (marker != null) {
                text = marker + text;
                marker = null;
            }
            out.inline(text);
        }

        @Override
        public void visit(Heading heading) {
            out.startHeading(heading.getLevel());
            visitChildren(heading);
            out.endHeading();
        }

        @Override
        public void visit(Paragraph paragraph) {
            if (listDepth == 0) out.paragraphBreak();
            else out.lineBreak();
            visitChildren(paragraph);
            if (listDepth == 0) out.paragraphBreak();
        }

        @Override
        public void visit(BulletList list) {
            visitList(list);
        }

        @Override
        public void visit(OrderedList list) {
            visitList(list);
        }

        private void visitList(Node list) {
            if (listDepth == 0) out.paragraphBreak();
            listDepth++;
            int number = list instanceof OrderedList ordered ? ordered.getStartNumber() : 0;
            for (Node item = list.getFirstChild(); item != null; item = item.getNext()) {
                out.lineBreak();
                marker = list instanceof OrderedList ? (number++) + ". " : "- ";
                item.accept(this);
                marker = null;
            }
            listDepth--;
            if (listDepth == 0) out.paragraphBreak();
        }

        @Override
        public void visit(ListItem item) {
            visitChildren(item);
        }

        @Override
        public void visit(BlockQuote quote) {
            out.paragraphBreak();
            visitChildren(quote);
            out.paragraphBreak();
        }

        @Override
        public void visit(FencedCodeBlock code) {
            codeBlock(code.getLiteral());
        }

        @Override
        public void visit(IndentedCodeBlock code) {
            codeBlock(code.getLiteral());
        }

        private void codeBlock(String literal) {
            if (listDepth == 0) out.paragraphBreak();
            else out.lineBreak();
            marker = null;
            out.literal(literal);
            if (listDepth == 0) out.paragraphBreak();
        }

        @Override
        public void visit(HtmlBlock html) {
            out.paragraphBreak();
            write(Jsoup.parse(html.getLiteral()).text());
            out.paragraphBreak();
        }

        @Override
        public void visit(ThematicBreak thematicBreak) {
            out.paragraphBreak();
        }

        @Override
        public void visit(Text text) {
            write(text.getLiteral());
        }

        @Override
        public void visit(Code code) {
            write(code.getLiteral());
        }

        @Override
        public void visit(SoftLineBreak softLineBreak) {
            write(" ");
        }

        @Override
        public void visit(HardLineBreak hardLineBreak) {
            out.lineBreak();
        }
    }
}
