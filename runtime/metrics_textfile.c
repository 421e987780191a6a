/* SPDX-License-Identifier: Apache-2.0 */
/* The policy's metrics_textfile: decision counts that node_exporter's
 * textfile collector reads, brought up to date at each decision.  There is
 * no daemon to hold the counts, so the file itself holds them: under a lock
 * of hardrun's own, it is read back (only the series hardrun writes), the
 * decision added, and the file replaced atomically (a temporary file and a
 * rename), so the collector never reads half a file.  The lock is held for
 * a read and a write of a few KiB: parallel creates wait on it for
 * microseconds, not for each other's containers.
 * The directory may belong to the collector's user: the file is opened
 * without following a symlink and without blocking (a FIFO put there must
 * not stall every create), and anything but a regular file of at most
 * MAX_TEXTFILE bytes is started afresh. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/enforce.h"
#include "hardrun/util.h"
#include "log.h"
#include "metrics.h"

#define MAX_TEXTFILE (1u << 20)
#define LOCK_PATH "/run/hardrun/metrics.lock"

struct count
{
  char *series;
  long long value;
};

struct counts
{
  struct count *items;
  size_t len;
};

static void
counts_add (struct counts *c, char *series, long long value)
{
  for (size_t i = 0; i < c->len; i++)
    if (strcmp (c->items[i].series, series) == 0)
      {
        c->items[i].value += value;
        free (series);
        return;
      }
  c->items = xrealloc (c->items, (c->len + 1) * sizeof *c->items);
  c->items[c->len++] = (struct count){ series, value };
}

static void
counts_clear (struct counts *c)
{
  for (size_t i = 0; i < c->len; i++)
    free (c->items[i].series);
  free (c->items);
}

/* The counts the file holds: each line "SERIES VALUE" of one of hardrun's
 * counter families (HELP and TYPE are written anew). */
static void
parse (char *text, struct counts *c)
{
  char *save = NULL;

  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *space = strrchr (line, ' '), *end;
      long long value;

      if (line[0] == '#' || space == NULL || hr_prom_counter_of (line) == NULL)
        continue;
      errno = 0;
      value = strtoll (space + 1, &end, 10);
      if (errno || *end != '\0' || value < 0)
        continue;
      *space = '\0';
      counts_add (c, xstrdup (line), value);
    }
}

/* The file's counts and what it is (owner, mode), or none and a new
 * root-owned file readable by the collector. */
static void
read_counts (int dirfd, const char *name, struct counts *c, struct stat *st)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  cleanup_free char *text = NULL;
  size_t got = 0;
  ssize_t n;

  *st = (struct stat){ .st_mode = S_IFREG | 0644 };
  if (fd < 0 || fstat (fd, st) < 0 || !S_ISREG (st->st_mode) || st->st_size > MAX_TEXTFILE)
    {
      if (fd >= 0)
        hr_log_warning ("metrics textfile %s is not a regular file of at most %u bytes: counting starts afresh", name,
                        MAX_TEXTFILE);
      *st = (struct stat){ .st_mode = S_IFREG | 0644 };
      return;
    }
  text = xmalloc (MAX_TEXTFILE + 1);
  while (got < MAX_TEXTFILE && ((n = read (fd, text + got, MAX_TEXTFILE - got)) > 0 || (n < 0 && errno == EINTR)))
    got += n > 0 ? (size_t)n : 0;
  text[got] = '\0';
  parse (text, c);
}

static int
by_series (const void *a, const void *b)
{
  return strcmp (((const struct count *)a)->series, ((const struct count *)b)->series);
}

/* The file's text: the series sorted (so each family's samples are
 * together), each family after its HELP and TYPE. */
static char *
render (struct counts *c)
{
  const struct hr_prom_family_info *last = NULL;
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&text, &len);

  if (c->len > 0)
    qsort (c->items, c->len, sizeof *c->items, by_series);
  for (size_t i = 0; i < c->len; i++)
    {
      const struct hr_prom_family_info *f = hr_prom_counter_of (c->items[i].series);
      if (f != last)
        hr_prom_family (out, f->name, f->type, f->help);
      last = f;
      fprintf (out, "%s %lld\n", c->items[i].series, c->items[i].value);
    }
  fclose (out);
  return text;
}

/* This decision's series, each counted once. */
static void
add_decision (struct counts *c, const char *command, const char *profile, const struct hr_result *result)
{
  const char *names[] = { "rule", "outcome", "profile" };
  const char *verdict[] = { hr_result_verdict (result), profile };
  const char *family = strcmp (command, "exec") == 0 ? hr_prom_execs.name : hr_prom_containers.name;

  counts_add (c, hr_prom_series (family, names + 1, verdict, 2), 1);
  for (size_t i = 0; i < result->len; i++)
    {
      const char *values[] = { result->items[i].rule, hr_outcome_name (result->items[i].outcome), profile };
      counts_add (c, hr_prom_series (hr_prom_decisions.name, names, values, 3), 1);
    }
}

static int
lock_counts (hr_error_t *err)
{
  int fd;

  if (hr_make_dir ("/run/hardrun", 0711, err) < 0)
    return -1;
  fd = open (LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0)
    return hr_error_set (err, errno, "cannot open %s", LOCK_PATH);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return close (fd), hr_error_set (err, errno, "cannot lock %s", LOCK_PATH);
  return fd;
}

static int
count (const char *path, const char *command, const char *profile, const struct hr_result *result, hr_error_t *err)
{
  cleanup_free char *dir = xstrdup (path), *text = NULL;
  char *slash = strrchr (dir, '/');
  const char *name = slash ? slash + 1 : dir;
  cleanup_close int dirfd = -1, lock = -1;
  struct counts c = { 0 };
  struct stat st;
  int ret;

  if (slash == NULL || *name == '\0')
    return hr_error_set (err, 0, "\"%s\" is not an absolute file path", path);
  *slash = '\0';
  dirfd = open (dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return hr_error_set (err, errno, "cannot open the directory %s", dir[0] ? dir : "/");
  if ((lock = lock_counts (err)) < 0)
    return -1;
  read_counts (dirfd, name, &c, &st);
  add_decision (&c, command, profile, result);
  text = render (&c);
  counts_clear (&c);
  ret = hr_file_replace (dirfd, name, text, strlen (text), &st, HR_FILE_VOLATILE, err);
  return ret;
}

void
hr_metrics_textfile_count (const char *path, const char *command, const char *profile, const struct hr_result *result)
{
  hr_error_t err = NULL;

  if (count (path, command ? command : "create", profile ? profile : "-", result, &err) < 0)
    {
      cleanup_free char *text = hr_error_text (err);
      hr_log_warning ("cannot update the metrics textfile %s: %s", path, text);
    }
  hr_error_free (&err);
}
