package dev.ragline.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParsedDocumentTest {

    private static List<String> sectionTexts(ParsedDocument parsed) {
        return parsed.sections().stream().map(s -> parsed.text().substring(s.start(), s.end())).toList();
    }

    @Test
    void plainTextIsOneSectionWithNormalisedLineEndings() {
        ParsedDocument parsed = ParsedDocument.parse(ContentType.PLAIN_TEXT, "\n  Line one\r\nLine two\r\n\r\n");
        assertThat(parsed.text()).isEqualTo("\n  Line one\nLine two");
        assertThat(parsed.sections()).containsExactly(new ParsedDocument.Section("", 3, parsed.text().length()));
    }

    @Test
    void markdownKeepsHeadingPathsListsAndCode() {
        ParsedDocument parsed = ParsedDocument.parse(ContentType.MARKDOWN, """
                Intro with *emphasis* and `code`.

                # Guide

                ## Install
                Run the
                installer.

                - first item
                - second item

                ```
                mvn verify
                ```

                ## Use
                > quoted [link](https://example.invalid)

                # Appendix
                Last words.
                """);
        assertThat(parsed.sections()).extracting(ParsedDocument.Section::headingPath)
                .containsExactly("", "Guide > Install", "Guide > Use", "Appendix");
        assertThat(sectionTexts(parsed)).containsExactly(
                "Intro with emphasis and code.",
                "Install\n\nRun the installer.\n\n- first item\n- second item\n\nmvn verify",
                "Use\n\nquoted link",
                "Appendix\n\nLast words.");
        // "Guide" has no text of its own: it lives on in the paths of its sub-sections.
        assertThat(parsed.text()).contains("Guide\n\nInstall");
    }

    @Test
    void htmlDropsScriptsStylesAndNavigationAndKeepsHeadings() {
        ParsedDocument parsed = ParsedDocument.parse(ContentType.HTML, """
                <html><head><title> Page title </title><style>p{color:red}</style></head><body>
                <nav><a href="/">Home</a> <a href="/x">Menu</a></nav>
                <script>var secret = 1;</script>
                <p>Before   any
                   heading.</p>
                <h1>Top</h1><p>Body <b>bold</b> text.</p>
                <h2>Sub</h2><ul><li>one</li><li>two</li></ul>
                <table><tr><td>a</td><td>b</td></tr></table>
                <pre>  keep
                    indentation</pre>
                </body></html>""");
        assertThat(parsed.title()).isEqualTo("Page title");
        assertThat(parsed.text()).doesNotContain("secret", "Home", "Menu", "color");
        assertThat(parsed.sections()).extracting(ParsedDocument.Section::headingPath).containsExactly("", "Top", "Top > Sub");
        assertThat(sectionTexts(parsed)).containsExactly(
                "Before any heading.",
                "Top\n\nBody bold text.",
                "Sub\n\n- one\n- two\n\na b\n\n  keep\n    indentation");
    }

    @Test
    void aHeadingWithoutTextIsKeptUnlessSubHeadingsFollow() {
        ParsedDocument parsed = ParsedDocument.parse(ContentType.MARKDOWN, "# Only a heading\n\n# Another");
        assertThat(parsed.sections()).extracting(ParsedDocument.Section::headingPath).containsExactly("Only a heading", "Another");
    }

    @Test
    void documentsWithoutTextHaveNoSections() {
        assertThat(ParsedDocument.parse(ContentType.HTML, "<script>x()</script><nav>menu</nav>").sections()).isEmpty();
        assertThat(ParsedDocument.parse(ContentType.PLAIN_TEXT, " \n ").sections()).isEmpty();
    }
}
