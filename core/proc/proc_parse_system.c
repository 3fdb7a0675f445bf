#include "proc/proc_parse_system.h"

#include <stdbool.h>
#include <string.h>

#include "proc/proc_scan.h"

/* ------------------------------------------------------------- pressure */

/* "key=value" where value is a decimal (want_total 0) or an integer. */
static const char *psi_field(const char *p, const char *eol, const char *key,
			     double *d, uint64_t *u)
{
	size_t klen = strlen(key);
	p = skip_spaces(p, eol);
	if ((size_t)(eol - p) < klen + 1 || memcmp(p, key, klen) != 0 || p[klen] != '=')
		return NULL;
	p += klen + 1;
	p = d ? scan_decimal(p, eol, d) : scan_u64(p, eol, u);
	return p && at_field_end(p, eol) ? p : NULL;
}

static int psi_line(const char *p, const char *eol, struct st_psi_line *out)
{
	struct st_psi_line l;
	if (!(p = psi_field(p, eol, "avg10", &l.avg10, NULL)) ||
	    !(p = psi_field(p, eol, "avg60", &l.avg60, NULL)) ||
	    !(p = psi_field(p, eol, "avg300", &l.avg300, NULL)) ||
	    !(p = psi_field(p, eol, "total", NULL, &l.total_us)))
		return -1;
	*out = l;
	return 0;
}

int st_parse_pressure(const char *buf, size_t len, struct st_psi *out)
{
	if (!parse_start(buf, out, sizeof(*out)))
		return -1;
	for (const char *cur = buf, *p, *eol; next_line(&cur, buf + len, &p, &eol);) {
		if (HAS_PREFIX(p, eol, "some ") && psi_line(p + 4, eol, &out->some) == 0)
			out->have |= ST_PSI_SOME;
		else if (HAS_PREFIX(p, eol, "full ") && psi_line(p + 4, eol, &out->full) == 0)
			out->have |= ST_PSI_FULL;
	}
	return (out->have & ST_PSI_SOME) ? 0 : -1;
}

/* --------------------------------------------------------------- vmstat */

static const struct st_kib_key vmstat_keys[] = {
#define KEY(k, field, bit) ST_KIB_KEY(k, struct st_vmstat, field, bit)
	KEY("pswpin", pswpin, ST_VMSTAT_SWAP),
	KEY("pswpout", pswpout, ST_VMSTAT_SWAP),
	KEY("pgmajfault", pgmajfault, ST_VMSTAT_MAJFAULT),
	KEY("oom_kill", oom_kill, ST_VMSTAT_OOM_KILL),
	KEY("pgscan_kswapd", pgscan, ST_VMSTAT_RECLAIM),
	KEY("pgscan_direct", pgscan, ST_VMSTAT_RECLAIM),
	KEY("pgscan_khugepaged", pgscan, ST_VMSTAT_RECLAIM),
	KEY("pgsteal_kswapd", pgsteal, ST_VMSTAT_RECLAIM),
	KEY("pgsteal_direct", pgsteal, ST_VMSTAT_RECLAIM),
	KEY("pgsteal_khugepaged", pgsteal, ST_VMSTAT_RECLAIM),
	/* one per zone (allocstall_dma, _dma32, _normal, _movable, _device) */
	KEY("allocstall_", allocstall, ST_VMSTAT_ALLOCSTALL),
#undef KEY
};
#define NVMKEYS (sizeof(vmstat_keys) / sizeof(vmstat_keys[0]))

int st_parse_vmstat(const char *buf, size_t len, struct st_vmstat *out)
{
	if (!parse_start(buf, out, sizeof(*out)))
		return -1;
	for (const char *cur = buf, *p, *eol; next_line(&cur, buf + len, &p, &eol);) {
		const char *sp = memchr(p, ' ', (size_t)(eol - p));
		uint64_t v;
		if (!sp || parse_single_u64(sp, eol, &v) < 0)
			continue;
		const struct st_kib_key *k = find_key(vmstat_keys, NVMKEYS, p, (size_t)(sp - p));
		if (k)
			key_add(k, out, &out->have, v);
	}
	return 0;
}

/* -------------------------------------------------------------- loadavg */

int st_parse_loadavg(const char *buf, size_t len, struct st_loadavg *out)
{
	const char *p, *end = buf + len;
	struct st_loadavg l;
	uint64_t running, threads;

	if (!buf || !out)
		return -1;
	if (!(p = scan_decimal(buf, end, &l.load1)) || p == end || *p != ' ' ||
	    !(p = scan_decimal(skip_spaces(p, end), end, &l.load5)) || p == end || *p != ' ' ||
	    !(p = scan_decimal(skip_spaces(p, end), end, &l.load15)) || p == end || *p != ' ' ||
	    !(p = scan_u64(skip_spaces(p, end), end, &running)) || p == end || *p != '/' ||
	    !(p = scan_u64(p + 1, end, &threads)) || !at_field_end(p, end) ||
	    running > UINT32_MAX || threads > UINT32_MAX)
		return -1;
	l.running = (uint32_t)running;
	l.threads = (uint32_t)threads;
	*out = l;
	return 0;
}

/* ------------------------------------------------------------ diskstats */

/* Devices that stack on others or are memory: their I/O is counted where
 * it lands, on a physical disk, or is no disk I/O at all. */
static bool virtual_device(const char *name, size_t n)
{
	static const char *const prefixes[] = { "loop", "ram", "zram", "dm-", "md", "nbd" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i]);
		if (n > pl && memcmp(name, prefixes[i], pl) == 0)
			return true;
	}
	return false;
}

/* A partition of disk: the disk's name, then digits, or "p" and digits
 * when the disk's name ends in a digit (nvme0n1p1, mmcblk0p2). */
static bool partition_of(const char *name, size_t n, const char *disk, size_t dn)
{
	if (dn == 0 || n <= dn || memcmp(name, disk, dn) != 0)
		return false;
	size_t i = dn;
	if (is_digit(disk[dn - 1])) {
		if (name[i] != 'p')
			return false;
		i++;
	}
	if (i == n)
		return false;
	for (; i < n; i++)
		if (!is_digit(name[i]))
			return false;
	return true;
}

int st_parse_diskstats(const char *buf, size_t len, struct st_diskstats *out)
{
	/* the last whole disk seen: the kernel lists a disk before its
	 * partitions */
	char disk[32];
	size_t disk_len = 0;

	if (!parse_start(buf, out, sizeof(*out)))
		return -1;
	for (const char *cur = buf, *p, *eol; next_line(&cur, buf + len, &p, &eol);) {
		uint64_t f[11], ignored;
		const char *q = skip_spaces(p, eol);
		/* major minor name, then at least 11 counters */
		if (!(q = scan_u64(q, eol, &ignored)) || !(q = scan_u64(skip_spaces(q, eol), eol, &ignored)))
			continue;
		const char *name = skip_spaces(q, eol), *name_end = name;
		while (name_end < eol && *name_end != ' ')
			name_end++;
		size_t n = (size_t)(name_end - name);
		q = name_end;
		int i;
		for (i = 0; i < 11; i++) {
			if (q == eol || *q != ' ')
				break;
			q = scan_u64(skip_spaces(q, eol), eol, &f[i]);
			if (!q || !at_field_end(q, eol))
				break;
		}
		if (n == 0 || i < 11 || virtual_device(name, n) ||
		    partition_of(name, n, disk, disk_len))
			continue;
		if (n < sizeof(disk)) {
			memcpy(disk, name, n);
			disk_len = n;
		}
		/* fields after the name: reads, merged, sectors read, ms reading,
		 * writes, merged, sectors written, ms writing, in flight, io ms */
		out->sectors_read += f[2];
		out->sectors_written += f[6];
		out->io_ms += f[9];
		out->ndisks++;
	}
	return 0;
}
