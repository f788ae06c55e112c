/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-test-util.h"

static void
test_plain_registration (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  g_autoptr(SudaTestClient) c = suda_test_client_register (suda_server_get_port (server), "alice", NULL);

  g_assert_cmpuint (suda_server_get_n_users (server), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/registration/nick-user", test_plain_registration);
  return g_test_run ();
}
