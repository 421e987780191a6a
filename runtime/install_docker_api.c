/* SPDX-License-Identifier: Apache-2.0 */
/* What a running dockerd has loaded, read from its API (GET /info on
 * /var/run/docker.sock), for the one case SIGHUP cannot undo by itself:
 * dockerd 20.10's reload keeps its default-runtime when daemon.json names
 * none, and keeps its runtimes when daemon.json has no "runtimes" member
 * (moby daemon/reload.go).  Restoring a daemon.json without them after
 * `--default` would leave dockerd running every container through a runtime
 * it no longer lists.  So install first writes a transition (the final file
 * plus "default-runtime": "runc" and/or "runtimes": {}), reloads, waits until
 * dockerd shows it, and only then writes the final bytes. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "hardrun/json.h"
#include "hardrun/util.h"
#include "install.h"

#define DOCKER_SOCKET "/var/run/docker.sock"
#define INFO_MAX (4u << 20)

static int
docker_info (struct hr_json **info, hr_error_t *err)
{
  static const char request[] = "GET /info HTTP/1.0\r\nHost: docker\r\n\r\n";
  struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = DOCKER_SOCKET };
  struct timeval tv = { .tv_sec = 10 };
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cleanup_free char *buf = xmalloc (INFO_MAX + 1);
  size_t got = 0;
  const char *body;

  if (fd < 0 || setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0
      || connect (fd, (struct sockaddr *)&addr, sizeof addr) < 0 || hr_write_all (fd, request, sizeof request - 1) < 0)
    return hr_error_set (err, errno, "cannot ask dockerd on %s", DOCKER_SOCKET);
  for (;;)
    {
      ssize_t n = read (fd, buf + got, INFO_MAX - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hr_error_set (err, errno, "cannot read dockerd's answer");
      if (n == 0 || (got += (size_t)n) == INFO_MAX)
        break;
    }
  buf[got] = '\0';
  body = strstr (buf, "\r\n\r\n");
  if (!hr_has_prefix (buf, "HTTP/1.") || strstr (buf, " 200 ") == NULL || body == NULL)
    return hr_error_set (err, 0, "dockerd's /info did not answer 200");
  body += 4;
  *info = hr_json_parse (body, strlen (body), err);
  return *info ? 0 : hr_error_prefix (err, "dockerd's /info");
}

static bool
loaded_default_is_hardrun (const struct hr_json *info)
{
  const struct hr_json *def = hr_json_get (info, "DefaultRuntime");
  return def && def->type == HR_JSON_STRING && strcmp (def->text, "hardrun") == 0;
}

static bool
loaded_runtimes_have_hardrun (const struct hr_json *info)
{
  return hr_json_get (hr_json_get (info, "Runtimes"), "hardrun") != NULL;
}

int
hr_install_docker_transition (const char *final, size_t len, char **out, size_t *out_len, hr_error_t *err)
{
  cleanup_json struct hr_json *info = NULL;
  cleanup_json struct hr_json *doc = NULL;
  hr_error_t ignored = NULL;
  int kind = 0;

  if (docker_info (&info, &ignored) < 0)
    {
      hr_error_free (&ignored); /* no dockerd answering: nothing loaded to undo */
      return 0;
    }
  doc = len > strspn (final, " \t\r\n") ? hr_json_parse (final, len, err) : hr_json_new (HR_JSON_OBJECT);
  if (doc == NULL)
    return hr_error_prefix (err, "/etc/docker/daemon.json");
  if (loaded_default_is_hardrun (info) && hr_json_get (doc, "default-runtime") == NULL)
    hr_json_set (doc, "default-runtime", hr_json_new_string ("runc")), kind |= HR_DOCKER_UNSET_DEFAULT;
  if (loaded_runtimes_have_hardrun (info) && hr_json_get (doc, "runtimes") == NULL)
    hr_json_set (doc, "runtimes", hr_json_new (HR_JSON_OBJECT)), kind |= HR_DOCKER_UNSET_RUNTIMES;
  if (kind && doc->type == HR_JSON_OBJECT)
    {
      *out = hr_json_serialize_pretty (doc);
      *out_len = strlen (*out);
    }
  return doc->type == HR_JSON_OBJECT ? kind : 0;
}

int
hr_install_docker_wait_transition (int kind, hr_error_t *err)
{
  for (int i = 0; i < 150; i++)
    {
      cleanup_json struct hr_json *info = NULL;
      hr_error_t ignored = NULL;

      if (docker_info (&info, &ignored) == 0 && !loaded_default_is_hardrun (info)
          && !((kind & HR_DOCKER_UNSET_RUNTIMES) && loaded_runtimes_have_hardrun (info)))
        return 0;
      hr_error_free (&ignored);
      nanosleep (&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
    }
  return hr_error_set (err, 0, "dockerd still has hardrun loaded 15 s after SIGHUP: see its log");
}
