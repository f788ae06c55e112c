/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Trust on first use and STS policies, kept across runs. */
#include "config.h"

#include "suda-test-util.h"
#include "suda-trust-store.h"

#define FP_A "aaaa000000000000000000000000000000000000000000000000000000000001"
#define FP_B "bbbb000000000000000000000000000000000000000000000000000000000002"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = suda_test_make_tmpdir ();
  f->path = g_build_filename (f->dir, "nested", "trust.ini", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_free (f->path);
  g_free (f->dir);
}

static void
test_first_use_then_pinned_then_changed (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(SudaTrustStore) store = suda_trust_store_new (f->path);
  g_autoptr(SudaTrustStore) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (suda_trust_store_check (store, "Class.Example", 6697, FP_A), ==, SUDA_TRUST_UNKNOWN);
  g_assert_true (suda_trust_store_pin (store, "Class.Example", 6697, FP_A, &error));
  g_assert_no_error (error);

  /* Kept across a restart, per host (any case) and port. */
  again = suda_trust_store_new (f->path);
  g_assert_cmpint (suda_trust_store_check (again, "class.example", 6697, FP_A), ==, SUDA_TRUST_PINNED);
  g_assert_cmpint (suda_trust_store_check (again, "class.example", 6697, "AAAA000000000000000000000000000000000000000000000000000000000001"),
                   ==, SUDA_TRUST_PINNED);
  g_assert_cmpint (suda_trust_store_check (again, "class.example", 6697, FP_B), ==, SUDA_TRUST_CHANGED);
  g_assert_cmpint (suda_trust_store_check (again, "class.example", 7000, FP_B), ==, SUDA_TRUST_UNKNOWN);

  g_assert_true (suda_trust_store_forget (again, "class.example", 6697, &error));
  g_assert_cmpint (suda_trust_store_check (again, "class.example", 6697, FP_B), ==, SUDA_TRUST_UNKNOWN);
}

static void
test_ipv6_host (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SudaTrustStore) store = suda_trust_store_new (f->path);
  g_autoptr(SudaTrustStore) again = NULL;

  g_assert_true (suda_trust_store_pin (store, "::1", 6697, FP_A, NULL));
  again = suda_trust_store_new (f->path);
  g_assert_cmpint (suda_trust_store_check (again, "::1", 6697, FP_A), ==, SUDA_TRUST_PINNED);
}

static void
test_corrupt_file_trusts_nothing (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autoptr(SudaTrustStore) store = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, "[pin x 1\nfingerprint=" FP_A "\n\xff\xfe", -1, NULL));
  store = suda_trust_store_new (f->path);
  g_assert_cmpint (suda_trust_store_check (store, "x", 1, FP_A), ==, SUDA_TRUST_UNKNOWN);
}

static void
test_sts_parse (void)
{
  SudaStsPolicy policy;

  g_assert_true (suda_sts_parse ("port=6697", &policy));
  g_assert_cmpuint (policy.port, ==, 6697);
  g_assert_cmpint (policy.duration, ==, -1);
  g_assert_true (suda_sts_parse ("duration=2592000,preload,future=1", &policy));
  g_assert_cmpuint (policy.port, ==, 0);
  g_assert_cmpint (policy.duration, ==, 2592000);
  g_assert_true (suda_sts_parse ("duration=0", &policy));
  g_assert_cmpint (policy.duration, ==, 0);

  g_assert_false (suda_sts_parse ("port=0", &policy));
  g_assert_false (suda_sts_parse ("port=70000", &policy));
  g_assert_false (suda_sts_parse ("port=66a", &policy));
  g_assert_false (suda_sts_parse ("preload", &policy));
  g_assert_false (suda_sts_parse (NULL, &policy));
}

static void
test_sts_policy_lifetime (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SudaTrustStore) store = suda_trust_store_new (f->path);
  g_autoptr(SudaTrustStore) again = NULL;
  SudaStsPolicy policy = { 6697, 3600 };
  SudaStsPolicy end = { 6697, 0 };
  gint64 now = 1800000000;

  g_assert_cmpuint (suda_trust_store_lookup_sts (store, "class.example", now), ==, 0);
  g_assert_true (suda_trust_store_set_sts (store, "class.example", &policy, now, NULL));

  again = suda_trust_store_new (f->path);
  g_assert_cmpuint (suda_trust_store_lookup_sts (again, "CLASS.example", now + 3599), ==, 6697);
  g_assert_cmpuint (suda_trust_store_lookup_sts (again, "class.example", now + 3600), ==, 0);
  g_assert_cmpuint (suda_trust_store_lookup_sts (again, "other.example", now), ==, 0);

  /* A fresh reading renews it; duration=0 ends it. */
  g_assert_true (suda_trust_store_set_sts (again, "class.example", &policy, now + 3000, NULL));
  g_assert_cmpuint (suda_trust_store_lookup_sts (again, "class.example", now + 6000), ==, 6697);
  g_assert_true (suda_trust_store_set_sts (again, "class.example", &end, now + 6000, NULL));
  g_assert_cmpuint (suda_trust_store_lookup_sts (again, "class.example", now + 6000), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/client/trust/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("first-use-then-pinned-then-changed", test_first_use_then_pinned_then_changed);
  ADD ("ipv6-host", test_ipv6_host);
  ADD ("corrupt-file-trusts-nothing", test_corrupt_file_trusts_nothing);
  ADD ("sts-policy-lifetime", test_sts_policy_lifetime);
#undef ADD
  g_test_add_func ("/client/trust/sts-parse", test_sts_parse);

  return g_test_run ();
}
