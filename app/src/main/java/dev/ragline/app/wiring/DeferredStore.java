package dev.ragline.app.wiring;

import dev.ragline.core.ChunkStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A store whose server may not be reachable at start-up (Qdrant): the service starts anyway, every call fails as
 * transient ({@link UncheckedIOException}: health DOWN, ingestion retrying) until a background thread has opened
 * it, and from then on every call goes to the real store. A dynamic proxy, so every {@link ChunkStore} method,
 * present and future, is forwarded unchanged.
 */
final class DeferredStore implements InvocationHandler {
    private static final Logger LOG = Logger.getLogger(DeferredStore.class);

    private final String description;
    private final int dimension;
    private final Supplier<ChunkStore> opener;
    private volatile ChunkStore delegate;
    private volatile String lastError = "not tried yet";
    private volatile boolean closed;
    private Thread connector;

    private DeferredStore(String description, int dimension, Supplier<ChunkStore> opener) {
        this.description = description;
        this.dimension = dimension;
        this.opener = opener;
    }

    /**
     * Opens the store now and returns it if its server answers; if it does not (an {@link UncheckedIOException}),
     * returns a proxy that keeps trying every {@code retry} in the background. Other failures (a collection that does not fit)
     * are thrown: they need the operator.
     */
    static ChunkStore open(String description, int dimension, Supplier<ChunkStore> opener, Duration retry) {
        DeferredStore handler = new DeferredStore(description, dimension, opener);
        try {
            return opener.get(); // reachable: the real store itself, no proxy in between
        } catch (UncheckedIOException e) {
            handler.lastError = e.getMessage();
            LOG.warnf("%s is not reachable (%s); starting anyway and retrying every %d ms", description, e.getMessage(), retry.toMillis());
            handler.connector = new Thread(() -> handler.connect(retry), "ragline-store-connector");
            handler.connector.setDaemon(true);
            handler.connector.start();
        }
        return (ChunkStore) Proxy.newProxyInstance(ChunkStore.class.getClassLoader(), new Class<?>[] {ChunkStore.class}, handler);
    }

    private void connect(Duration retry) {
        while (!closed && delegate == null) {
            try {
                Thread.sleep(retry.toMillis());
                ChunkStore store = opener.get();
                synchronized (this) {
                    if (closed) store.close();
                    else delegate = store;
                }
                LOG.infof("%s is reachable now", description);
            } catch (UncheckedIOException e) {
                lastError = e.getMessage();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                lastError = e.toString();
                LOG.errorf(e, "%s cannot be opened", description);
            }
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "toString" -> {
                if (method.getParameterCount() == 0) return "DeferredStore[" + description + (delegate == null ? ", not connected]" : ", " + delegate + "]");
            }
            case "hashCode" -> {
                if (method.getParameterCount() == 0) return System.identityHashCode(proxy);
            }
            case "equals" -> {
                if (method.getParameterCount() == 1) return proxy == args[0];
            }
            case "dimension" -> {
                if (method.getParameterCount() == 0) return dimension;
            }
            case "close" -> {
                if (method.getParameterCount() == 0) {
                    synchronized (this) {
                        closed = true;
                        if (connector != null) connector.interrupt();
                        if (delegate != null) delegate.close();
                    }
                    return null;
                }
            }
            default -> {
            }
        }
        ChunkStore store = delegate;
        if (store == null)
            throw new UncheckedIOException(new IOException(description + " is not reachable yet: " + lastError));
        try {
            return method.invoke(store, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
