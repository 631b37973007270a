// A SPARQL 1.1 endpoint on Apache Jena ARQ (Debian's libapache-jena-java), for the remote-backend tests: the
// query engine, update engine and RDF parsers of Fuseki, behind the JDK's own HTTP server (Fuseki itself is
// not packaged by Debian). In-memory transactional dataset; 127.0.0.1 only; no authentication.
//
//   /sparql   query (GET, POST form or application/sparql-query); FROM / FROM NAMED and the protocol's
//             default-graph-uri / named-graph-uri pick graphs of the dataset, as Fuseki does
//   /update   SPARQL Update (POST form or application/sparql-update), one transaction per request
//   /data     Graph Store Protocol POST / PUT / DELETE / GET with ?graph=<iri>
//
// Usage: java -cp "/usr/share/java/*:<dir>" ArqEndpoint <port>   (prints "ready" once it listens)

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Node;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.QueryParseException;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.Syntax;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.RDFLanguages;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.riot.RiotException;
import org.apache.jena.sparql.core.DatasetDescription;
import org.apache.jena.sparql.core.DatasetGraph;
import org.apache.jena.sparql.core.DatasetGraphFactory;
import org.apache.jena.sparql.core.DynamicDatasets;
import org.apache.jena.sparql.graph.GraphFactory;
import org.apache.jena.system.Txn;
import org.apache.jena.update.UpdateAction;
import org.apache.jena.update.UpdateFactory;

public class ArqEndpoint {
    private static final DatasetGraph DATA = DatasetGraphFactory.createTxnMem();

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 64);
        server.createContext("/sparql", exchange -> handle(exchange, ArqEndpoint::query));
        server.createContext("/update", exchange -> handle(exchange, ArqEndpoint::update));
        server.createContext("/data", exchange -> handle(exchange, ArqEndpoint::graphStore));
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        System.out.println("ready");
        System.out.flush();
    }

    interface Handler {
        void run(HttpExchange exchange, Map<String, List<String>> params, byte[] body) throws IOException;
    }

    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private static void handle(HttpExchange exchange, Handler handler) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> params = new LinkedHashMap<>();
            parseForm(exchange.getRequestURI().getRawQuery(), params);
            String type = contentType(exchange);
            if ("application/x-www-form-urlencoded".equals(type)) {
                parseForm(new String(body, StandardCharsets.UTF_8), params);
            }
            handler.run(exchange, params, body);
        } catch (Refused exc) {
            reply(exchange, exc.status, "text/plain; charset=utf-8", exc.getMessage().getBytes(StandardCharsets.UTF_8));
        } catch (QueryParseException | RiotException exc) {
            reply(exchange, 400, "text/plain; charset=utf-8", String.valueOf(exc.getMessage()).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException exc) {
            reply(exchange, 500, "text/plain; charset=utf-8", String.valueOf(exc).getBytes(StandardCharsets.UTF_8));
        } finally {
            exchange.close();
        }
    }

    private static String contentType(HttpExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        return type == null ? "" : type.split(";")[0].trim().toLowerCase();
    }

    private static void parseForm(String text, Map<String, List<String>> params) {
        if (text == null || text.isEmpty()) {
            return;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
    }

    private static String single(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new Refused(400, "parameter " + name + " given more than once");
        }
        return values.get(0);
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        if (type != null) {
            exchange.getResponseHeaders().set("Content-Type", type);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void query(HttpExchange exchange, Map<String, List<String>> params, byte[] body) throws IOException {
        String text = single(params, "query");
        if (text == null && "application/sparql-query".equals(contentType(exchange))) {
            text = new String(body, StandardCharsets.UTF_8);
        }
        if (text == null) {
            throw new Refused(400, "no query given");
        }
        Query query = QueryFactory.create(text, Syntax.syntaxSPARQL_11);
        List<String> defaults = params.getOrDefault("default-graph-uri", List.of());
        List<String> named = params.getOrDefault("named-graph-uri", List.of());
        DatasetDescription description = defaults.isEmpty() && named.isEmpty()
            ? query.getDatasetDescription() : DatasetDescription.create(defaults, named);
        // The dataset is built here from the description; left in the query, ARQ would apply it a second
        // time, to the view (whose named graphs are only those of FROM NAMED).
        query.getGraphURIs().clear();
        query.getNamedGraphURIs().clear();
        String accept = String.valueOf(exchange.getRequestHeaders().getFirst("Accept"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String type = Txn.calculateRead(DATA, () -> {
            DatasetGraph graphs = description == null ? DATA : DynamicDatasets.dynamicDataset(description, DATA, false);
            Dataset dataset = DatasetFactory.wrap(graphs);
            try (QueryExecution execution = QueryExecutionFactory.create(query, dataset)) {
                if (query.isSelectType() || query.isAskType()) {
                    boolean xml = accept.contains("sparql-results+xml") && !accept.contains("sparql-results+json");
                    if (query.isSelectType()) {
                        if (xml) {
                            ResultSetFormatter.outputAsXML(out, execution.execSelect());
                        } else {
                            ResultSetFormatter.outputAsJSON(out, execution.execSelect());
                        }
                    } else if (xml) {
                        ResultSetFormatter.outputAsXML(out, execution.execAsk());
                    } else {
                        ResultSetFormatter.outputAsJSON(out, execution.execAsk());
                    }
                    return xml ? "application/sparql-results+xml" : "application/sparql-results+json";
                }
                Model model = query.isConstructType() ? execution.execConstruct() : execution.execDescribe();
                boolean turtle = accept.contains("turtle");
                RDFDataMgr.write(out, model, turtle ? Lang.TURTLE : Lang.NTRIPLES);
                return turtle ? "text/turtle; charset=utf-8" : "application/n-triples";
            }
        });
        reply(exchange, 200, type, out.toByteArray());
    }

    private static void update(HttpExchange exchange, Map<String, List<String>> params, byte[] body) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            throw new Refused(405, "updates are POSTed");
        }
        String text = single(params, "update");
        if (text == null && "application/sparql-update".equals(contentType(exchange))) {
            text = new String(body, StandardCharsets.UTF_8);
        }
        if (text == null) {
            throw new Refused(400, "no update given");
        }
        String request = text;
        Txn.executeWrite(DATA, () -> UpdateAction.execute(UpdateFactory.create(request), DATA));
        reply(exchange, 204, null, new byte[0]);
    }

    private static void graphStore(HttpExchange exchange, Map<String, List<String>> params, byte[] body) throws IOException {
        String iri = single(params, "graph");
        if (iri == null && single(params, "default") == null) {
            throw new Refused(400, "name the graph: ?graph=<iri> or ?default");
        }
        Node name = iri == null ? null : NodeFactory.createURI(iri);
        String method = exchange.getRequestMethod();
        if ("GET".equals(method)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Txn.executeRead(DATA, () -> RDFDataMgr.write(out, name == null ? DATA.getDefaultGraph() : DATA.getGraph(name), Lang.NTRIPLES));
            reply(exchange, 200, "application/n-triples", out.toByteArray());
            return;
        }
        if ("DELETE".equals(method)) {
            Txn.executeWrite(DATA, () -> {
                if (name == null) {
                    DATA.getDefaultGraph().clear();
                } else {
                    DATA.removeGraph(name);
                }
            });
            reply(exchange, 204, null, new byte[0]);
            return;
        }
        if (!"POST".equals(method) && !"PUT".equals(method)) {
            throw new Refused(405, "GET, POST, PUT or DELETE");
        }
        Lang lang = RDFLanguages.contentTypeToLang(contentType(exchange));
        if (lang == null) {
            throw new Refused(415, "unknown RDF media type: " + contentType(exchange));
        }
        Graph parsed = GraphFactory.createDefaultGraph();
        RDFParser.source(new java.io.ByteArrayInputStream(body)).lang(lang).parse(parsed);
        Txn.executeWrite(DATA, () -> {
            Graph target = name == null ? DATA.getDefaultGraph() : DATA.getGraph(name);
            if ("PUT".equals(method)) {
                target.clear();
            }
            parsed.find().forEachRemaining(target::add);
        });
        reply(exchange, 204, null, new byte[0]);
    }
}
