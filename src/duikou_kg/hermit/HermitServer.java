// A long-lived HermiT: one JVM answers many consistency checks, so a check costs the reasoning, not a JVM start.
//
// Protocol (stdin / stdout, one request at a time):
//   request:  a line with the byte length N of the document, then N bytes of N-Triples (UTF-8)
//   answer:   one line of JSON
//             {"status":"consistent","unsatisfiable":["<class IRI>", ...]}
//             {"status":"inconsistent"}
//             {"status":"error","message":"..."}
// End of input ends the program. HermiT and the OWL API log to System.out in places, so System.out is
// pointed at stderr and answers go to a stream of their own.

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.StreamDocumentSource;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import uk.ac.manchester.cs.owl.owlapi.turtle.parser.TurtleOntologyParser;

public final class HermitServer {
    private static final int MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

    public static void main(String[] args) throws IOException {
        PrintStream answers = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err);
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 16));
        long count = 0;
        while (true) {
            String header = readLine(in);
            if (header == null) {
                return;
            }
            int length;
            try {
                length = Integer.parseInt(header.trim());
            } catch (NumberFormatException e) {
                answers.println(error("bad request header: " + header));
                return;  // the stream is out of step: the caller starts a new process
            }
            if (length < 0 || length > MAX_DOCUMENT_BYTES) {
                answers.println(error("document too large: " + length + " bytes"));
                return;
            }
            byte[] document = new byte[length];
            in.readFully(document);
            count++;
            String answer;
            try {
                answer = check(document, count);
            } catch (Exception e) {
                answer = error(e.getClass().getSimpleName() + ": " + e.getMessage());
            } catch (Error e) {  // out of memory, stack overflow: answer, then leave so a fresh JVM takes over
                answers.println(error(e.getClass().getSimpleName() + ": " + e.getMessage()));
                System.exit(3);
                return;
            }
            answers.println(answer);
        }
    }

    private static String check(byte[] document, long count) throws Exception {
        // A fresh manager per request: nothing from one request can leak into the next.
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        IRI name = IRI.create("urn:duikou:hermit-request:" + count);
        OWLOntology ontology = manager.createOntology(name);
        OWLOntologyLoaderConfiguration loading = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);  // imports are dropped before
        TurtleOntologyParser parser = new TurtleOntologyParser();  // N-Triples is a subset of Turtle
        parser.parse(new StreamDocumentSource(new ByteArrayInputStream(document), name), ontology, loading);

        Configuration configuration = new Configuration();
        configuration.throwInconsistentOntologyException = false;
        Reasoner reasoner = new Reasoner(configuration, ontology);
        try {
            if (!reasoner.isConsistent()) {
                return "{\"status\":\"inconsistent\"}";
            }
            List<String> unsatisfiable = new ArrayList<>();
            for (OWLClass cls : reasoner.getUnsatisfiableClasses().getEntities()) {
                if (!cls.isOWLNothing()) {
                    unsatisfiable.add(cls.getIRI().toString());
                }
            }
            Collections.sort(unsatisfiable);
            StringBuilder out = new StringBuilder("{\"status\":\"consistent\",\"unsatisfiable\":[");
            for (int i = 0; i < unsatisfiable.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(quote(unsatisfiable.get(i)));
            }
            return out.append("]}").toString();
        } finally {
            reasoner.dispose();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return line.toString();
            }
            line.append((char) c);
            if (line.length() > 64) {
                return line.toString();  // not a length: reported as a bad header
            }
        }
        return line.length() == 0 ? null : line.toString();
    }

    private static String error(String message) {
        return "{\"status\":\"error\",\"message\":" + quote(message == null ? "" : message) + "}";
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
