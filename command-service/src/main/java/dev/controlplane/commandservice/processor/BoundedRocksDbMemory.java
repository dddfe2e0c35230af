package dev.controlplane.commandservice.processor;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One bound on the native memory of every RocksDB store of the process. Left alone, Streams gives each store (and
 * each segment of a window store: a dozen partitions times three stores, several segments each) its own 50 MiB block
 * cache and up to three 16 MiB memtables, which no heap setting bounds. Here all of them share one cache, and their
 * memtables are charged to it, as Kafka Streams' memory-management guide describes. The bound is soft (the cache
 * does not refuse an insert when full), which spares a write an error at the cost of a brief overshoot.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    /** Block cache, index and filter blocks, and memtables together. */
    static final long TOTAL_BYTES = 96L << 20;
    /** The part of it memtables may hold before the largest is flushed. */
    static final long MEMTABLE_BYTES = 32L << 20;

    private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        // Index and filter blocks in the cache too, or they grow outside the bound with the data.
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setMaxWriteBufferNumber(2);
        options.setWriteBufferSize(8L << 20);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store, and live as long as the process.
    }
}
