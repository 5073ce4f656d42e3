package io.asyncwatch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncwatch.serde.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Headless Chromium driven over the W3C WebDriver protocol (Debian's chromium and chromium-driver): enough to open a
 * page, run a script in it and take a screenshot. The JDK's HTTP client speaks the protocol; no browser is downloaded.
 */
public final class Browser implements AutoCloseable {

    private final ExternalTool driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String session;

    private Browser(ExternalTool driver, String base, String session) {
        this.driver = driver;
        this.base = base;
        this.session = session;
    }

    public static Browser start(Path tmp) throws Exception {
        Path chromedriver = ExternalTool.require("chromedriver", "chromium-driver");
        Path chromium = ExternalTool.require("chromium", "chromium");
        int port = ExternalTool.freePort();
        ExternalTool driver = ExternalTool.start(List.of(chromedriver.toString(), "--port=" + port),
                tmp.resolve("chromedriver.log"));
        String base = "http://127.0.0.1:" + port;
        ExternalTool.awaitGet(base + "/status", b -> b.contains("\"ready\":true"), Duration.ofSeconds(30));
        ObjectNode caps = JsonNodeFactory.instance.objectNode();
        ObjectNode chrome = caps.putObject("capabilities").putObject("alwaysMatch").put("browserName", "chrome")
                .putObject("goog:chromeOptions").put("binary", chromium.toString());
        // As the machine's notes say: headless, and nothing that reaches out to Google's services at start.
        chrome.putArray("args").add("--headless").add("--no-sandbox").add("--disable-gpu").add("--disable-quic")
                .add("--no-first-run").add("--disable-background-networking").add("--disable-component-update")
                .add("--disable-sync").add("--window-size=1400,1000")
                .add("--user-data-dir=" + tmp.resolve("chromium-profile"));
        Browser b = null;
        try {
            JsonNode created = new Browser(driver, base, "").call("POST", "/session", caps);
            b = new Browser(driver, base, created.get("value").get("sessionId").asText());
            return b;
        } finally {
            if (b == null) {
                driver.close();
            }
        }
    }

    public void open(String url) throws Exception {
        call("POST", "/session/" + session + "/url", JsonNodeFactory.instance.objectNode().put("url", url));
    }

    /** Runs {@code script} (a function body) in the page; its return value. */
    public JsonNode run(String script) throws Exception {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("script", script);
        body.putArray("args");
        return call("POST", "/session/" + session + "/execute/sync", body).get("value");
    }

    public byte[] screenshot() throws Exception {
        String png = call("GET", "/session/" + session + "/screenshot", null).get("value").asText();
        return java.util.Base64.getDecoder().decode(png);
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        r = body == null ? r.method(method, HttpRequest.BodyPublishers.noBody())
                : r.method(method, HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("WebDriver " + method + " " + path + ": HTTP " + response.statusCode() + " "
                    + response.body() + "\n" + driver.log());
        }
        return Json.MAPPER.readTree(response.body());
    }

    @Override
    public void close() {
        try {
            if (!session.isEmpty()) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (Exception e) {
            // The driver goes anyway.
        }
        driver.close();
    }
}
