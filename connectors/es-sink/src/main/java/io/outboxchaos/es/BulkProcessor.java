package io.outboxchaos.es;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers actions into batches and hands them to up to maxInFlight sender threads.
 *
 * <p>Every action is counted as outstanding from add() until its batch is acknowledged, which is
 * what lets flush() guarantee that no offset is committed for data not yet in Elasticsearch. A
 * failed batch makes the processor fail permanently: later add()/flush() calls throw, so the task
 * fails instead of committing past lost data.
 */
class BulkProcessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BulkProcessor.class);

    /** Sends one batch; returns normally only when every action in it is acknowledged. */
    interface BatchSender {
        void send(long batchId, List<BulkItem> batch) throws Exception;
    }

    private final BatchSender sender;
    private final int batchSize;
    /** Bytes at which a batch is cut; Long.MAX_VALUE when bulk.size.bytes=-1. */
    private final long bulkSizeBytes;
    private final long lingerMs;
    private final int maxBuffered;
    private final long flushTimeoutMs;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // Guarded by lock.
    private List<BulkItem> buffer = new ArrayList<>();
    private long bufferBytes;
    private long bufferStartNanos;
    private ScheduledFuture<?> lingerTimer;
    private long outstanding;
    private long nextBatchId;
    private int inFlightBatches;
    private Throwable failure;
    private boolean closed;

    private final ThreadPoolExecutor senders;
    private final ScheduledThreadPoolExecutor timer;

    BulkProcessor(BatchSender sender, int batchSize, long bulkSizeBytes, long lingerMs, int maxInFlight,
                  int maxBuffered, long flushTimeoutMs, String threadPrefix) {
        this.sender = sender;
        this.batchSize = batchSize;
        // -1 disables the byte limit; 0 counts as 1 byte (as Confluent 16 does), i.e. one action per batch.
        this.bulkSizeBytes = bulkSizeBytes < 0 ? Long.MAX_VALUE : Math.max(1, bulkSizeBytes);
        this.lingerMs = lingerMs;
        this.maxBuffered = maxBuffered;
        this.flushTimeoutMs = flushTimeoutMs;
        // A FIFO queue in front of maxInFlight threads: with 1 thread batches go out strictly in
        // order; with more they overlap and may finish out of order (deliberately, like the real one).
        this.senders = new ThreadPoolExecutor(maxInFlight, maxInFlight, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), daemonThreads(threadPrefix + "-bulk"));
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads(threadPrefix + "-linger"));
        this.timer.setRemoveOnCancelPolicy(true);
    }

    /** Adds one action; may block (backpressure) while maxBuffered actions are outstanding. */
    void add(BulkItem item) {
        lock.lock();
        try {
            ensureUsable();
            if (outstanding >= maxBuffered) {
                // Ship what we hold so the wait can end, then wait for acknowledgements.
                dispatchLocked();
                log.debug("{} actions outstanding (max.buffered.records={}), put() waits", outstanding, maxBuffered);
                awaitLocked(() -> outstanding < maxBuffered, "buffer space (" + maxBuffered + " records outstanding)");
            }
            buffer.add(item);
            bufferBytes += item.payload.length;
            outstanding++;
            if (buffer.size() == 1) {
                bufferStartNanos = System.nanoTime();
                if (lingerMs > 0) {
                    List<BulkItem> owner = buffer;
                    lingerTimer = timer.schedule(() -> lingerExpired(owner), lingerMs, TimeUnit.MILLISECONDS);
                }
            }
            // Like Elasticsearch's BulkProcessor (which Confluent uses): the batch goes once the action
            // just added makes it reach either limit, so a batch may end up to one action over the bytes.
            if (buffer.size() >= batchSize || bufferBytes >= bulkSizeBytes) {
                dispatchLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Called at the end of put(): sends a partial batch whose linger time has already passed. */
    void dispatchIfLingered() {
        lock.lock();
        try {
            if (!buffer.isEmpty() && System.nanoTime() - bufferStartNanos >= TimeUnit.MILLISECONDS.toNanos(lingerMs)) {
                dispatchLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends whatever is buffered and blocks until all outstanding actions are acknowledged. */
    void flush() {
        lock.lock();
        try {
            ensureUsable();
            dispatchLocked();
            if (outstanding > 0) {
                log.debug("Flush waits for {} outstanding actions in {} batches", outstanding, inFlightBatches);
            }
            awaitLocked(() -> outstanding == 0, "flush of " + outstanding + " outstanding records");
        } finally {
            lock.unlock();
        }
    }

    /** Throws if an earlier batch failed, so the task fails even when no new records arrive. */
    void ensureUsable() {
        lock.lock();
        try {
            if (failure != null) {
                throw failureException();
            }
            if (closed) {
                throw new ConnectException("Elasticsearch sink is stopped");
            }
        } finally {
            lock.unlock();
        }
    }

    long outstanding() {
        lock.lock();
        try {
            return outstanding;
        } finally {
            lock.unlock();
        }
    }

    private void lingerExpired(List<BulkItem> owner) {
        lock.lock();
        try {
            // Only if the buffer this timer was armed for has not been shipped already.
            if (buffer == owner && !buffer.isEmpty() && !closed) {
                dispatchLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private void dispatchLocked() {
        if (buffer.isEmpty() || closed) {
            return;
        }
        List<BulkItem> batch = buffer;
        buffer = new ArrayList<>(Math.min(batchSize, 1024));
        bufferBytes = 0;
        if (lingerTimer != null) {
            lingerTimer.cancel(false);
            lingerTimer = null;
        }
        long id = ++nextBatchId;
        inFlightBatches++;
        log.debug("Batch #{}: dispatching {} actions ({} outstanding in total)", id, batch.size(), outstanding);
        try {
            senders.execute(() -> runBatch(id, batch));
        } catch (RejectedExecutionException e) {
            inFlightBatches--;
            outstanding -= batch.size();
            failLocked(new ConnectException("Cannot dispatch batch #" + id + ": sender pool shut down", e));
        }
    }

    private void runBatch(long id, List<BulkItem> batch) {
        Throwable error = null;
        try {
            sender.send(id, batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = new ConnectException("Batch #" + id + " interrupted (task stopping?)", e);
        } catch (Throwable t) {
            error = t;
        }
        lock.lock();
        try {
            inFlightBatches--;
            outstanding -= batch.size();
            if (error != null) {
                failLocked(error);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void failLocked(Throwable error) {
        if (closed) {
            return; // errors caused by stop() are expected, not task failures
        }
        if (failure == null) {
            failure = error;
            log.error("Elasticsearch sink failed; the task will fail on its next put()/flush(): {}",
                    error.getMessage());
        }
        changed.signalAll();
    }

    private ConnectException failureException() {
        return new ConnectException("Elasticsearch sink failed earlier: " + failure.getMessage(), failure);
    }

    private interface Check {
        boolean done();
    }

    private void awaitLocked(Check check, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushTimeoutMs);
        while (true) {
            if (failure != null) {
                throw failureException();
            }
            if (closed) {
                throw new ConnectException("Elasticsearch sink stopped while waiting for " + what);
            }
            if (check.done()) {
                return;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new ConnectException("Timed out after " + flushTimeoutMs + " ms (flush.timeout.ms) waiting for "
                        + what + "; " + outstanding + " records still unacknowledged in " + inFlightBatches
                        + " batches");
            }
            try {
                changed.awaitNanos(remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException("Interrupted while waiting for " + what, e);
            }
        }
    }

    /** Stops promptly: abandons buffered and in-flight batches (their offsets were never committed). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (outstanding > 0) {
                log.info("Stopping with {} unacknowledged records; they will be redelivered from the last commit",
                        outstanding);
            }
            buffer = new ArrayList<>();
            bufferBytes = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        timer.shutdownNow();
        senders.shutdownNow();
        try {
            if (!senders.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("Bulk sender threads did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
