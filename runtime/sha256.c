/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 through nettle; see sha256.h. */
#include <stdio.h>

#include "sha256.h"

void
hr_sha256_init (struct hr_sha256 *ctx)
{
  sha256_init (&ctx->ctx);
}

void
hr_sha256_update (struct hr_sha256 *ctx, const void *data, size_t len)
{
  sha256_update (&ctx->ctx, len, data);
}

void
hr_sha256_hex (struct hr_sha256 *ctx, char out[65])
{
  unsigned char digest[SHA256_DIGEST_SIZE];

  sha256_digest (&ctx->ctx, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; i++)
    snprintf (out + 2 * i, 3, "%02x", digest[i]);
}
