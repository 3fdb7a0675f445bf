/*
 * Dumps as a Chrome Trace Event Format document (the JSON Object Format),
 * which ui.perfetto.dev and chrome://tracing open: counter tracks for the
 * system and for every listed process, instants for triggers and exited
 * groups, on the dumps' CLOCK_MONOTONIC in microseconds.
 *
 * Tracks: per boot (host.boot_id) a "<hostname> system" process whose pid
 * is ST_PERFETTO_SYSTEM_PID; a process keeps its real pid (the format
 * knows a pid, not a pid and start time: a pid the kernel reused within a
 * boot shares the track, named after the first process seen). Dumps of
 * another boot have their own clock and pid space, so their tracks are
 * moved by ST_PERFETTO_BOOT_STRIDE per boot, in the order the boots first
 * appear; a dump without a boot id counts as a boot of its own.
 */
#ifndef ST_RENDER_PERFETTO_H
#define ST_RENDER_PERFETTO_H

#include <stddef.h>
#include <spiketrace/model.h>

/* Above the kernel's PID_MAX_LIMIT (2^22): never a real pid. */
#define ST_PERFETTO_SYSTEM_PID  (1LL << 22)
#define ST_PERFETTO_BOOT_STRIDE (1LL << 23)

/* The trace of dumps[0 .. ndumps-1], malloc'd NUL-terminated JSON text;
 * NULL when out of memory. Every string from a dump is escaped as the
 * text output escapes it (st_escape_terminal), so the document is valid
 * UTF-8 with no control character whatever the names hold. */
char *st_render_perfetto(const struct st_dump *const *dumps, size_t ndumps);

#endif
