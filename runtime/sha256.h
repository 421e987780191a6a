/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 for the runtime pin, from nettle (linked statically): a
 * maintained implementation with the CPU's SHA extensions where it has
 * them (runc's 8.7 MB hash in ~20 ms, where a portable C loop took ~100). */
#ifndef HARDRUN_SHA256_H
#define HARDRUN_SHA256_H

#include <nettle/sha2.h>
#include <stddef.h>

struct hr_sha256
{
  struct sha256_ctx ctx;
};

void hr_sha256_init (struct hr_sha256 *ctx);
void hr_sha256_update (struct hr_sha256 *ctx, const void *data, size_t len);
/* The digest as 64 lower-case hex digits and a NUL. */
void hr_sha256_hex (struct hr_sha256 *ctx, char out[65]);

#endif
