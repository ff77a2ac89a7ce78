package io.softgate.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class SvgPlotTest {
    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldDrawOneMarkerPerPointInWellFormedSvg() throws Exception {
        String svg = new SvgPlot("t <&>", "x", "y")
            .series("a", new double[] {1_000, 10_000, 100_000}, new double[] {5, 4, 3}, new double[] {0.5, 0.5, 0.5})
            .render();

        Document document = parse(svg);

        assertEquals("svg", document.getDocumentElement().getTagName());
        assertEquals(3, document.getElementsByTagName("circle").getLength());
    }

    @Test
    void shouldPlaceEqualRatiosAtEqualDistancesOnTheLogAxis() throws Exception {
        String svg = new SvgPlot("t", "x", "y")
            .series("a", new double[] {10, 100, 1_000}, new double[] {1, 1, 1}, null).render();

        NodeList circles = parse(svg).getElementsByTagName("circle");
        double x0 = Double.parseDouble(circles.item(0).getAttributes().getNamedItem("cx").getNodeValue());
        double x1 = Double.parseDouble(circles.item(1).getAttributes().getNamedItem("cx").getNodeValue());
        double x2 = Double.parseDouble(circles.item(2).getAttributes().getNamedItem("cx").getNodeValue());

        assertEquals(x1 - x0, x2 - x1, 0.2);
        assertTrue(x1 > x0);
    }

    @Test
    void shouldRejectNonPositiveXOnTheLogAxis() {
        SvgPlot plot = new SvgPlot("t", "x", "y");
        assertThrows(IllegalArgumentException.class,
            () -> plot.series("a", new double[] {0}, new double[] {1}, null));
    }
}
