/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Denial of service by one address: holding every slot, holding slots
 * unregistered, flooding before registration, flooding the log with
 * refused connections, and OPER as a CPU sink. */
#include "config.h"

#include <string.h>

#include "suda-test-util.h"

/* A server with the per-address limit as CONFIG says, loopback included
 * (suda_test_server_new() exempts it for the other tests). */
static SudaServer *
server_limited (SudaServerConfig *config)
{
  g_autofree char *dir = suda_test_make_tmpdir ();
  g_autoptr(GError) error = NULL;
  SudaServer *server;

  g_free (config->listen_address);
  config->listen_address = g_strdup ("127.0.0.1");
  config->port = 0;
  g_free (config->log_path);
  config->log_path = g_build_filename (dir, "server.jsonl", NULL);
  server = suda_server_new (config);
  g_assert_true (suda_server_start (server, &error));
  g_assert_no_error (error);
  return server;
}

static void
collect_entry (SudaServer   *server,
               SudaLogEntry *entry,
               GPtrArray    *entries)
{
  if (g_str_equal (suda_log_entry_get_event (entry), "error"))
    g_ptr_array_add (entries, g_strdup (suda_log_entry_get_text (entry)));
}

/* Item 7: max-per-address, with a slot left for someone else; item 9: the
 * refusals make two log entries, not one each. */
static void
test_max_per_address (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GPtrArray) holders = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_test_client_free);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *summary = NULL;
  guint refused = 20;
  guint16 port;

  config->max_per_address = 3;
  config->connects_per_minute = 0;  /* tested on its own below */
  config->max_clients = 100;
  server = server_limited (config);
  port = suda_server_get_port (server);
  g_signal_connect (server, "log-entry", G_CALLBACK (collect_entry), errors);
  for (int i = 0; i < 3; i++)
    {
      SudaTestClient *c = suda_test_client_connect (port);

      suda_test_client_await (c, "*** Welcome to Suda. Type your nickname*");
      g_ptr_array_add (holders, c);
    }
  for (int i = 0; i < 20; i++)
    {
      g_autoptr(SudaTestClient) extra = suda_test_client_connect (port);
      g_autofree char *line = suda_test_client_read_line (extra, 5000);

      g_assert_cmpstr (line, ==, "ERROR :Too many connections from your address");
      g_assert_true (suda_test_client_wait_closed (extra, 2000));
    }
  /* One leaves: its slot is free again. */
  g_ptr_array_remove_index (holders, 0);
  for (;;)
    {
      g_autoptr(SudaTestClient) again = suda_test_client_connect (port);
      g_autofree char *line = suda_test_client_read_line (again, 5000);

      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "*** Welcome"))
        break;
      refused++;  /* the server had not seen the close yet */
    }

  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (errors, 0), ==,
                   "too many from one address: connection from 127.0.0.1 refused");
  suda_server_stop (server, NULL);
  g_assert_cmpuint (errors->len, ==, 2);
  summary = g_strdup_printf ("refused %u more connections from 127.0.0.1 in the last minute "
                             "(too many from one address)", refused - 1);
  g_assert_cmpstr (g_ptr_array_index (errors, 1), ==, summary);
}

/* Item 7: connects-per-minute counts connections made, not held: closed
 * ones still count, the next is refused and the refusals are summed up. */
static void
test_connects_per_minute (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  guint16 port;

  config->connects_per_minute = 3;
  config->max_per_address = 0;
  server = server_limited (config);
  port = suda_server_get_port (server);
  g_signal_connect (server, "log-entry", G_CALLBACK (collect_entry), errors);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(SudaTestClient) c = suda_test_client_connect (port);

      suda_test_client_await (c, "*** Welcome to Suda. Type your nickname*");
    }
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(SudaTestClient) extra = suda_test_client_connect (port);
      g_autofree char *line = suda_test_client_read_line (extra, 5000);

      g_assert_cmpstr (line, ==, "ERROR :Too many connections from your address; try again in a minute");
      g_assert_true (suda_test_client_wait_closed (extra, 2000));
    }
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (errors, 0), ==,
                   "connecting too often: connection from 127.0.0.1 refused");
  suda_server_stop (server, NULL);
  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (errors, 1), ==,
                   "refused 4 more connections from 127.0.0.1 in the last minute "
                   "(connecting too often)");
}

/* exempt-loopback=true spares this machine (both limits). */
static void
test_loopback_exempt (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_test_client_free);

  config->max_per_address = 2;
  config->connects_per_minute = 2;
  config->exempt_loopback = TRUE;
  server = server_limited (config);
  for (int i = 0; i < 5; i++)
    {
      SudaTestClient *c = suda_test_client_connect (suda_server_get_port (server));

      suda_test_client_await (c, "*** Welcome to Suda. Type your nickname*");
      g_ptr_array_add (clients, c);
    }
  suda_server_stop (server, NULL);
}

/* Item 7: the registration deadline counts from the connect; PINGs do not
 * extend it. */
static void
test_registration_deadline (void)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaServer) server = NULL;
  g_autoptr(SudaTestClient) holder = NULL;
  gint64 give_up;
  gboolean dropped = FALSE;

  config->registration_timeout_ms = 1000;
  server = suda_test_server_new (config);
  holder = suda_test_client_connect (suda_server_get_port (server));
  give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!dropped && g_get_monotonic_time () < give_up)
    {
      g_autofree char *line = NULL;

      suda_test_client_send (holder, "PING keep-me");
      while ((line = suda_test_client_read_line (holder, 200)) != NULL)
        {
          dropped |= g_str_equal (line, "ERROR :Closing link: 127.0.0.1 (Registration timeout)");
          g_free (line);
        }
    }
  g_assert_true (dropped);
}

/* Item 8: flood control from the first byte.  An unregistered connection
 * that sends 2000 PINGs at once gets the burst answered, not the flood,
 * and is cut off once its waiting input passes recvq. */
static void
test_flood_before_registration (void)
{
  g_autoptr(SudaServer) server = suda_test_server_new (NULL);
  g_autoptr(SudaTestClient) flooder = suda_test_client_connect (suda_server_get_port (server));
  g_autoptr(SudaTestClient) bystander = NULL;
  g_autoptr(GString) flood = g_string_new (NULL);
  guint pongs = 0;
  gboolean closed = FALSE;

  for (int i = 0; i < 2000; i++)
    g_string_append_printf (flood, "PING %d\r\n", i);
  suda_test_client_send_raw (flooder, flood->str, flood->len);
  while (!closed)
    {
      g_autofree char *got = suda_test_client_read_line (flooder, 5000);

      g_assert_nonnull (got);
      pongs += strstr (got, " PONG ") != NULL;
      closed = g_str_equal (got, "ERROR :Closing link: 127.0.0.1 (Excess Flood)");
    }
  g_assert_cmpuint (pongs, <=, 20);

  bystander = suda_test_client_register (suda_server_get_port (server), "calm", NULL);
  suda_test_client_send (bystander, "PING still-here");
  suda_test_client_await (bystander, "* PONG * still-here");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/abuse/max-per-address-and-refusals-summed-up", test_max_per_address);
  g_test_add_func ("/server/abuse/connects-per-minute", test_connects_per_minute);
  g_test_add_func ("/server/abuse/loopback-exempt-when-configured", test_loopback_exempt);
  g_test_add_func ("/server/abuse/registration-deadline-not-extended", test_registration_deadline);
  g_test_add_func ("/server/abuse/flood-control-before-registration", test_flood_before_registration);
  return g_test_run ();
}
