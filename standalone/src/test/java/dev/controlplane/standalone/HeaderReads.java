package dev.controlplane.standalone;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Records which request headers the code reads, however it reads them (a Spring annotation, a filter, a helper
 * calling {@code getHeader}), so the contract test can check each is documented. The shared test system adds this
 * configuration with {@code --spring.main.sources}; nothing in the product knows of it. The recording wrapper is put
 * in place by a Tomcat valve, which runs before every servlet filter, so the request log's own read of
 * {@code X-Request-Id} is seen without moving any of the product's filters.
 */
@Configuration(proxyBeanMethods = false)
class HeaderReads {

    /** {@code "GET /api/v1/tenants"} → the names (lower case) of the headers read while serving it. */
    static final Map<String, Set<String>> READ = new ConcurrentHashMap<>();

    @Bean
    TomcatContextCustomizer headerRecordingValve() {
        return context -> context.getPipeline().addValve(new ValveBase(true) {
            @Override
            public void invoke(Request request, Response response) throws IOException, ServletException {
                Set<String> names = READ.computeIfAbsent(request.getMethod() + " " + request.getRequestURI(),
                        key -> ConcurrentHashMap.newKeySet());
                request.setRequest(new Recording(request.getRequest(), names));
                getNext().invoke(request, response);
            }
        });
    }

    private static final class Recording extends HttpServletRequestWrapper {
        private final Set<String> names;

        Recording(HttpServletRequest request, Set<String> names) {
            super(request);
            this.names = names;
        }

        @Override
        public String getHeader(String name) {
            names.add(name.toLowerCase());
            return super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            names.add(name.toLowerCase());
            return super.getHeaders(name);
        }

        @Override
        public long getDateHeader(String name) {
            names.add(name.toLowerCase());
            return super.getDateHeader(name);
        }

        @Override
        public int getIntHeader(String name) {
            names.add(name.toLowerCase());
            return super.getIntHeader(name);
        }
    }
}
