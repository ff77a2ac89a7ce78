package io.softgate.service.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Issue 2, "Done when" 5: a feature module depends on softgate-core only (never on another feature
 * module, the I/O backends or the service), so features stay independent plug-ins of the core.
 */
class FeatureModuleDependencyTest {
    private static final String PROJECT_GROUP = "io.softgate";
    private static final String CORE = "softgate-core";

    static Path repositoryRoot() {
        Path packaging = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path root = packaging.getParent();
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("softgate-core")),
            "cannot find the repository root above " + packaging);
        return root;
    }

    @ParameterizedTest
    @ValueSource(strings = {"acl", "nat", "loadbalancer", "evpn-gateway"})
    void shouldDependOnNoProjectModuleButCore(String module) throws Exception {
        Path pom = repositoryRoot().resolve(module).resolve("pom.xml");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(pom.toFile());
        Element project = document.getDocumentElement();

        List<String> projectDependencies = new ArrayList<>();
        Element dependencies = child(project, "dependencies");
        if (dependencies != null) {
            NodeList list = dependencies.getChildNodes();
            for (int i = 0; i < list.getLength(); i++) {
                if (list.item(i) instanceof Element dependency && dependency.getTagName().equals("dependency")) {
                    String group = text(dependency, "groupId");
                    String scope = text(dependency, "scope");
                    boolean projectGroup = group.equals(PROJECT_GROUP) || group.equals("${project.groupId}");
                    if (projectGroup && !scope.equals("test")) {
                        projectDependencies.add(text(dependency, "artifactId"));
                    }
                }
            }
        }
        assertEquals(List.of(CORE), projectDependencies, module + "/pom.xml: non-test io.softgate dependencies");
    }

    private static Element child(Element parent, String tag) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(tag)) {
                return element;
            }
        }
        return null;
    }

    private static String text(Element parent, String tag) {
        Element element = child(parent, tag);
        return element == null ? "" : element.getTextContent().trim();
    }
}
