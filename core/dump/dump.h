/* The dump model (include/spiketrace/model.h): allocation and release.
 * Shared by the daemon, which builds dumps, and the viewer, which reads them. */
#ifndef ST_DUMP_H
#define ST_DUMP_H

#include <spiketrace/model.h>

/* A zeroed dump with schema set to ST_DUMP_SCHEMA and trigger_index -1;
 * NULL when out of memory. */
struct st_dump *st_dump_new(void);
/* Frees the dump, its arrays and every cmdline; NULL is fine. */
void st_dump_free(struct st_dump *dump);
/* Frees what one sample owns (not the sample itself). */
void st_dump_sample_clear(struct st_dump_sample *s);
/* How long the incident lasted: from its first trigger's sample to the
 * latest trigger's (offsets run from the first's), 0 for a moment. */
int64_t st_dump_lasted_ns(const struct st_dump *dump);

/* "cutime", "proc_connector", "taskstats" for ST_EXITS_*; NULL for
 * another value. And back: the ST_EXITS_* of a name, or -1. */
const char *st_exits_mode_name(uint32_t mode);
int st_exits_mode_of(const char *name);

/* How a process record's figures were obtained, as the dump's "measured"
 * word ("interval", "carried", "since_start") for its ST_PROC_* flags.
 * And back: the flags of a word in *flags, 0; -1 for another word. */
const char *st_proc_measured_name(uint32_t flags);
int st_proc_measured_of(const char *word, uint32_t *flags);

#endif
