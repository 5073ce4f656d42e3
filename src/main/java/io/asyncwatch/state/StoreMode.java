package io.asyncwatch.state;

/** How task stores are built. */
public enum StoreMode {
    /** The trace stores on RocksDB, changelogged ({@code asyncwatch.state.in-memory=false}). */
    PERSISTENT,
    /**
     * In memory, changelogged (the default): restored from the changelog on restart. In both live modes the alert
     * episodes are on RocksDB ({@link StateStores#durableTaskStore}).
     */
    IN_MEMORY,
    /**
     * In memory without a changelog: {@code replay} and tests run offline, where there is nothing to restore from,
     * and every changelog record would cost the test driver a routing step.
     */
    REPLAY
}
