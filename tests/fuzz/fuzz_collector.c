/* fuzz_collector.c - libFuzzer harness: sflowcat's consumers of a datagram other than the printers
 * (those are fuzz_print's): the --top window (top-parse.c, on the shared header walk) and the
 * Prometheus store, each fed the datagram and then asked for its snapshot. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collector/prom-store.h"
#include "collector/top.h"

static struct top top;
static struct prom_store store;
static FILE *null;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (!ready) {
                null = fopen("/dev/null", "w");
                if (!null || top_init(&top, 3) < 0)
                        return 0;
                prom_store_init(&store, 1e9);
                ready = 1;
        }
        top_datagram(&top, data, size, 1000.5);
        prom_store_datagram(&store, data, size, 1000.5);
        top_print_json(&top, null, 10);
        prom_store_write(&store, null, 1000.6);
        return 0;
}
