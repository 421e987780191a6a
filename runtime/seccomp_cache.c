/* SPDX-License-Identifier: Apache-2.0 */
/* The compiled-profile cache: libseccomp takes about 9 ms to turn Docker's
 * default profile into BPF for three architectures, and every container of
 * an image asks for the same profile.  An entry is the BPF hardrun
 * compiled, named by a SHA-256 of everything the result depends on and
 * stored with a SHA-256 of itself, so that a torn, truncated or swapped
 * entry is seen and compiled again, never taken on trust.  Entries live
 * under /var/cache so that the first container after a reboot is served
 * too.  What the cache spares is hardrun's own compile check: runc builds
 * the filter the container gets from the spec itself. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/enforce.h"
#include "hardrun/util.h"
#include "log.h"
#include "seccomp_cache.h"
#include "sha256.h"

/* An entry is a header and its payload: larger files are not ours.  Two
 * kinds share the directory, told apart by the header's first line (and
 * their keys, which hash different contexts). */
#define ENTRY_HEADER "%s\nkey %s\n%s-sha256 %s\n%s-bytes %zu\n\n"
#define ENTRY_MAX_SIZE (4u << 20)

struct entry_kind
{
  const char *magic;   /* the header's first line */
  const char *payload; /* what the payload is, in the header's field names */
  const char *digest_fault;
};

/* a profile's compiled BPF: the early compile check passed */
static const struct entry_kind compiled_kind
    = { "hardrun-seccomp-cache", "bpf", "its filter does not match its digest" };
/* a merge's result: {"merged": PROFILE, "changed": [CALL...]} */
static const struct entry_kind merged_kind = { "hardrun-seccomp-merge", "json", "its merge does not match its digest" };

/* SHA-256 of context (with its NUL, so that it ends where it ends) and
 * text: an entry's name. */
static void
keyed_digest (const char *context, const char *text, size_t len, char key[65])
{
  struct hr_sha256 ctx;

  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, context, strlen (context) + 1);
  hr_sha256_update (&ctx, text, len);
  hr_sha256_hex (&ctx, key);
}

/* SHA-256 of what the compiled filter depends on: the profile's text, the
 * libseccomp that compiles it (version and the kernel API level it found),
 * the native architecture and kernel, and how hardrun reads a profile. */
static void
cache_key (const char *text, size_t len, char key[65])
{
  const struct scmp_version *v = seccomp_version ();
  cleanup_free char *context = NULL;
  struct utsname u;

  if (uname (&u) < 0)
    u.release[0] = '\0';
  xasprintf (&context, "hardrun-seccomp-cache format %d libseccomp %u.%u.%u api %u arch %u kernel %s",
             HR_SECCOMP_COMPILE_FORMAT, v->major, v->minor, v->micro, seccomp_api_get (), seccomp_arch_native (),
             u.release);
  keyed_digest (context, text, len, key);
}

static void
digest_of (const char *data, size_t len, char out[65])
{
  struct hr_sha256 ctx;

  hr_sha256_init (&ctx);
  hr_sha256_update (&ctx, data, len);
  hr_sha256_hex (&ctx, out);
}

/* Only a directory nobody but root can write may hold entries: whoever
 * could write it could plant them. */
static int
open_checked_dir (int parent, const char *name, const char *path, bool strict, hr_error_t *err)
{
  cleanup_close int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  bool writable;

  if (fd < 0)
    return hr_error_set (err, errno, "cannot open \"%s\"", path);
  if (fstat (fd, &st) < 0)
    return hr_error_set (err, errno, "cannot stat \"%s\"", path);
  writable = strict ? (st.st_mode & 022) != 0 : (st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != 0);
  if (st.st_uid != 0 || writable)
    return hr_error_set (err, EPERM, "\"%s\" is not a directory only root can write (uid %u, mode %04o)", path,
                         (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
  return hr_steal_fd (&fd);
}

/* The entries' directory, made 0700 when missing; -1 when it cannot be
 * used (a warning when it is unsafe, silence when this is not root or
 * /var is read-only: the profile is compiled as without a cache). */
static int
open_cache_dir_checked (void)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_close int parent = -1, root = -1;
  int fd;

  if (geteuid () != 0)
    return -1;
  if (hr_make_dir (HR_SECCOMP_CACHE_ROOT, 0700, &err) < 0 || hr_make_dir (HR_SECCOMP_CACHE_DIR, 0700, &err) < 0)
    return -1;
  parent = open_checked_dir (AT_FDCWD, "/var/cache", "/var/cache", false, &err);
  if (parent >= 0)
    root = open_checked_dir (parent, "hardrun", HR_SECCOMP_CACHE_ROOT, true, &err);
  fd = root < 0 ? -1 : open_checked_dir (root, "seccomp", HR_SECCOMP_CACHE_DIR, true, &err);
  if (fd < 0)
    hr_log_warning ("seccomp cache not used: %s", err->msg);
  return fd;
}

/* A create asks the cache for a merge and then for a compiled profile: the
 * directory is made, opened and checked once, and each caller gets its own
 * copy of that descriptor (or -1 each time, warned once). */
static int
open_cache_dir (void)
{
  static int checked = -2;

  if (checked == -2)
    checked = open_cache_dir_checked ();
  return checked < 0 ? -1 : fcntl (checked, F_DUPFD_CLOEXEC, 0);
}

/* The 64 lowercase hex digits at *p, copied to out, *p moved past them. */
static bool
take_hex (const char **p, const char *end, char out[65])
{
  if (end - *p < 64 || strspn (*p, "0123456789abcdef") < 64)
    return false;
  memcpy (out, *p, 64);
  out[64] = '\0';
  *p += 64;
  return true;
}

/* *p starts with word: moved past it. */
static bool
take_word (const char **p, const char *end, const char *word)
{
  size_t len = strlen (word);

  if ((size_t)(end - *p) < len || memcmp (*p, word, len) != 0)
    return false;
  *p += len;
  return true;
}

/* NULL when data is an intact entry of kind for key (*payload, *payload_len
 * then point into data), else what is wrong with it. */
static const char *
entry_fault (const struct entry_kind *kind, const char *data, size_t len, const char *key, const char **payload,
             size_t *payload_len)
{
  char stored_key[65], digest[65], actual[65], field[32];
  cleanup_free char *header = NULL;
  const char *p = data, *end = memmem (data, len, "\n\n", 2);
  char *number_end;
  unsigned long long bytes;

  snprintf (field, sizeof field, "\n%s-sha256 ", kind->payload);
  if (end == NULL || !take_word (&p, end, kind->magic) || !take_word (&p, end, "\nkey ")
      || !take_hex (&p, end, stored_key) || !take_word (&p, end, field) || !take_hex (&p, end, digest))
    return "no entry header";
  snprintf (field, sizeof field, "\n%s-bytes ", kind->payload);
  if (!take_word (&p, end, field) || p >= end || *p < '0' || *p > '9')
    return "no entry header";
  bytes = strtoull (p, &number_end, 10);
  /* the header exactly as hardrun writes it, nothing more or less */
  xasprintf (&header, ENTRY_HEADER, kind->magic, stored_key, kind->payload, digest, kind->payload, (size_t)bytes);
  if ((size_t)(end + 2 - data) != strlen (header) || memcmp (data, header, strlen (header)) != 0)
    return "a malformed header";
  if (strcmp (stored_key, key) != 0)
    return "made for another profile";
  if (len - strlen (header) != bytes)
    return "truncated or extended";
  digest_of (end + 2, bytes, actual);
  if (strcmp (actual, digest) != 0)
    return kind->digest_fault;
  *payload = end + 2;
  *payload_len = bytes;
  return NULL;
}

/* The GNU build id of hardrun's own executable, in hex: it changes with
 * every change of hardrun's code (and of the libraries linked into it), so
 * a merge remembered by one build is never served by another. */
struct build_id
{
  char hex[2 * 64 + 1];
};

static int
find_build_id (struct dl_phdr_info *info, size_t size, void *data)
{
  struct build_id *id = data;

  /* the first object is the executable itself */
  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[i];
      const char *note = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = note + ph->p_memsz;

      if (ph->p_type != PT_NOTE)
        continue;
      while (note + sizeof (ElfW (Nhdr)) <= end)
        {
          const ElfW (Nhdr) *n = (const ElfW (Nhdr) *)note;
          const unsigned char *name = (const unsigned char *)(n + 1);
          const unsigned char *desc = name + ((n->n_namesz + 3) & ~3u);

          if (desc + n->n_descsz > (const unsigned char *)end)
            break;
          if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp (name, "GNU", 4) == 0 && n->n_descsz > 0
              && n->n_descsz <= 64)
            {
              for (size_t k = 0; k < n->n_descsz; k++)
                snprintf (id->hex + 2 * k, 3, "%02x", desc[k]);
              return 1;
            }
          note = (const char *)desc + ((n->n_descsz + 3) & ~3u);
        }
    }
  return 1;
}

/* false when the executable has no build id (linked without one): then
 * merges are not remembered. */
static bool
self_build_id (struct build_id *id)
{
  id->hex[0] = '\0';
  dl_iterate_phdr (find_build_id, id);
  return id->hex[0] != '\0';
}

/* The intact entry of kind for key, whole (*data); its payload in
 * *payload and *payload_len.  false when there is none (a missing entry
 * silently, any other with a warning). */
static bool
entry_read (int dirfd, const struct entry_kind *kind, const char *key, char **data, const char **payload,
            size_t *payload_len)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *text = NULL;
  const char *fault;
  struct stat st;
  size_t len;

  if (hr_file_read (dirfd, key, ENTRY_MAX_SIZE, &text, &len, &st, &err) < 0)
    {
      if (err->status != ENOENT)
        hr_log_warning ("seccomp cache entry \"%s/%s\" ignored: %s", HR_SECCOMP_CACHE_DIR, key, err->msg);
      return false;
    }
  fault = st.st_uid != 0 || (st.st_mode & 022) ? "not root's alone"
                                               : entry_fault (kind, text, len, key, payload, payload_len);
  if (fault)
    {
      hr_log_warning ("seccomp cache entry \"%s/%s\" ignored (%s): done again", HR_SECCOMP_CACHE_DIR, key, fault);
      return false;
    }
  *data = hr_steal_pointer (&text);
  return true;
}

struct aged_entry
{
  char name[65];
  struct timespec mtime;
};

static int
by_age (const void *a, const void *b)
{
  const struct timespec *x = &((const struct aged_entry *)a)->mtime, *y = &((const struct aged_entry *)b)->mtime;

  if (x->tv_sec != y->tv_sec)
    return x->tv_sec < y->tv_sec ? -1 : 1;
  return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* The directory's entries, read through a descriptor of its own (a copy of
 * dirfd would share its offset with every other copy); *n is SIZE_MAX when
 * the directory cannot be read. */
static struct aged_entry *
list_entries (int dirfd, size_t *n)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd < 0 ? NULL : fdopendir (fd);
  struct aged_entry *entries = NULL;
  size_t cap = 0;

  *n = 0;
  if (dir == NULL)
    {
      if (fd >= 0)
        close (fd);
      *n = SIZE_MAX;
      return NULL;
    }
  for (struct dirent *d; (d = readdir (dir)) != NULL;)
    {
      /* an entry is named by its key; temporary files start with a dot */
      if (!hr_is_sha256_hex (d->d_name))
        continue;
      if (*n == cap)
        entries = xrealloc (entries, (cap = cap ? cap * 2 : 256) * sizeof *entries);
      memcpy (entries[*n].name, d->d_name, 65);
      entries[(*n)++].mtime = (struct timespec){ 0 };
    }
  closedir (dir);
  return entries;
}

/* Room for one more entry: past HR_SECCOMP_CACHE_MAX_ENTRIES the oldest
 * quarter goes.  Without it the directory fills for good: every build of
 * hardrun keys its merges anew, and a host that ran a thousand distinct
 * profiles (or builds) would compile every new one forever after.  false
 * when the directory cannot be read. */
static bool
make_room (int dirfd)
{
  size_t n, keep = HR_SECCOMP_CACHE_MAX_ENTRIES * 3 / 4;
  cleanup_free struct aged_entry *entries = list_entries (dirfd, &n);
  struct stat st;

  if (n == SIZE_MAX)
    return false;
  if (n < HR_SECCOMP_CACHE_MAX_ENTRIES)
    return true;
  for (size_t i = 0; i < n; i++)
    if (fstatat (dirfd, entries[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0)
      entries[i].mtime = st.st_mtim;
  qsort (entries, n, sizeof *entries, by_age);
  for (size_t i = 0; i + keep < n; i++)
    unlinkat (dirfd, entries[i].name, 0);
  return true;
}

/* Written atomically (a temporary file renamed over the name) and not
 * synced: a crash may leave an entry torn, which entry_fault tells. */
static void
store_entry (int dirfd, const struct entry_kind *kind, const char *key, const char *payload, size_t payload_len)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_free char *data = NULL;
  struct stat mode = { .st_mode = S_IFREG | 0600 };
  char digest[65];
  size_t header_len;

  if (!make_room (dirfd))
    return;
  digest_of (payload, payload_len, digest);
  xasprintf (&data, ENTRY_HEADER, kind->magic, key, kind->payload, digest, kind->payload, payload_len);
  header_len = strlen (data);
  data = xrealloc (data, header_len + payload_len);
  memcpy (data + header_len, payload, payload_len);
  if (hr_file_replace (dirfd, key, data, header_len + payload_len, &mode, HR_FILE_VOLATILE, &err) < 0)
    hr_log_warning ("seccomp cache: %s", err->msg);
}

int
hr_seccomp_cache_check (const struct hr_json *profile, hr_error_t *err)
{
  size_t len, bpf_len = 0;
  cleanup_free char *text = hr_json_serialize (profile, &len);
  cleanup_free char *bpf = NULL, *entry = NULL;
  cleanup_close int dirfd = open_cache_dir ();
  const char *payload;
  char key[65];

  cache_key (text, len, key);
  if (dirfd >= 0 && entry_read (dirfd, &compiled_kind, key, &entry, &payload, &bpf_len))
    {
      if (bpf_len > 0 && bpf_len % 8 == 0)
        return 0;
      hr_log_warning ("seccomp cache entry \"%s/%s\" ignored (not a BPF program): done again", HR_SECCOMP_CACHE_DIR,
                      key);
    }
  if (hr_seccomp_compile_bpf (profile, dirfd >= 0 ? &bpf : NULL, &bpf_len, err) < 0)
    return -1;
  if (dirfd >= 0)
    store_entry (dirfd, &compiled_kind, key, bpf, bpf_len);
  return 0;
}

/* SHA-256 of what a merge depends on: the seccomp rule's inputs (see
 * recall_merge in hardrun/enforce.h), hardrun's own build and the
 * libseccomp and architecture that resolve call names.  false when no key
 * can bind the entry to this build. */
static bool
merge_key (const char *inputs, size_t len, char key[65])
{
  const struct scmp_version *v = seccomp_version ();
  cleanup_free char *context = NULL;
  struct build_id id;

  if (!self_build_id (&id))
    return false;
  xasprintf (&context, "hardrun-seccomp-merge build %s libseccomp %u.%u.%u arch %u", id.hex, v->major, v->minor,
             v->micro, seccomp_arch_native ());
  keyed_digest (context, inputs, len, key);
  return true;
}

/* The entry's payload as a merge: the profile, and the changed calls
 * appended to *changed; NULL when it is not one. */
static struct hr_json *
merge_of (const char *payload, size_t len, struct hr_strv *changed)
{
  cleanup_error hr_error_t err = NULL;
  cleanup_json struct hr_json *doc = hr_json_parse (payload, len, &err);
  const struct hr_json *merged = hr_json_get_value (doc, "merged");
  const struct hr_json *calls = hr_json_get_value (doc, "changed");

  if (merged == NULL || merged->type != HR_JSON_OBJECT || calls == NULL || calls->type != HR_JSON_ARRAY)
    return NULL;
  for (size_t i = 0; i < calls->len; i++)
    if (!hr_json_is_string (calls->items[i]))
      return NULL;
  for (size_t i = 0; i < calls->len; i++)
    hr_strv_push (changed, calls->items[i]->text);
  return hr_json_take (doc, "merged");
}

struct hr_json *
hr_seccomp_cache_recall_merge (const char *inputs, size_t len, struct hr_strv *changed)
{
  cleanup_close int dirfd = -1;
  cleanup_free char *entry = NULL;
  const char *payload;
  size_t payload_len;
  struct hr_json *merged;
  char key[65];

  if (!merge_key (inputs, len, key) || (dirfd = open_cache_dir ()) < 0
      || !entry_read (dirfd, &merged_kind, key, &entry, &payload, &payload_len))
    return NULL;
  merged = merge_of (payload, payload_len, changed);
  if (merged == NULL)
    hr_log_warning ("seccomp cache entry \"%s/%s\" ignored (not a merge): done again", HR_SECCOMP_CACHE_DIR, key);
  return merged;
}

void
hr_seccomp_cache_remember_merge (const char *inputs, size_t len, const struct hr_json *merged,
                                 const struct hr_strv *changed)
{
  cleanup_json struct hr_json *doc = hr_json_new (HR_JSON_OBJECT);
  struct hr_json *calls = hr_json_new (HR_JSON_ARRAY);
  cleanup_close int dirfd = -1;
  cleanup_free char *text = NULL;
  size_t text_len;
  char key[65];

  if (!merge_key (inputs, len, key) || (dirfd = open_cache_dir ()) < 0)
    {
      hr_json_free (calls);
      return;
    }
  hr_json_set (doc, "merged", hr_json_clone (merged));
  for (size_t i = 0; i < changed->len; i++)
    hr_json_append (calls, hr_json_new_string (changed->items[i]));
  hr_json_set (doc, "changed", calls);
  text = hr_json_serialize (doc, &text_len);
  store_entry (dirfd, &merged_kind, key, text, text_len);
}
