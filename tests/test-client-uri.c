/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The command line's irc:// addresses: suda irc://HOST[:PORT]/ROOM. */
#include "config.h"

#include "suda-application.h"

typedef struct {
  const char *uri;
  gboolean    ok;
  const char *host;
  guint16     port;
  const char *room;
} Case;

static const Case cases[] = {
  { "irc://chat.example.org/lobby", TRUE, "chat.example.org", 6667, "#lobby" },
  { "irc://127.0.0.1:6697/lab", TRUE, "127.0.0.1", 6697, "#lab" },
  { "irc://localhost:7000/%23lab", TRUE, "localhost", 7000, "#lab" },
  { "irc://localhost/#lab", TRUE, "localhost", 6667, "#lab" },
  { "irc://localhost", TRUE, "localhost", 6667, NULL },
  { "irc://localhost/", TRUE, "localhost", 6667, NULL },
  { "irc://[::1]:6668/v6", TRUE, "::1", 6668, "#v6" },
  { "ircs://chat.example.org/lobby", TRUE, "chat.example.org", 6697, "#lobby" },
  { "ircs://127.0.0.1:7000/lab", TRUE, "127.0.0.1", 7000, "#lab" },
  { "http://example.org/lobby", FALSE, NULL, 0, NULL },
  { "irc:///lobby", FALSE, NULL, 0, NULL },
  { "not a uri", FALSE, NULL, 0, NULL },
};

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autofree char *host = NULL;
      g_autofree char *room = NULL;
      g_autoptr(GError) error = NULL;
      guint16 port = 0;
      gboolean ok;

      g_test_message ("%s", c->uri);
      ok = suda_parse_irc_uri (c->uri, &host, &port, &room, &error);
      g_assert_cmpint (ok, ==, c->ok);
      if (!ok)
        {
          g_assert_nonnull (error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (host, ==, c->host);
      g_assert_cmpuint (port, ==, c->port);
      g_assert_cmpstr (room, ==, c->room);
    }
}

static void
test_ircs_is_tls (void)
{
  g_assert_true (suda_irc_uri_is_tls ("ircs://chat.example.org/lobby"));
  g_assert_true (suda_irc_uri_is_tls ("IRCS://chat.example.org"));
  g_assert_false (suda_irc_uri_is_tls ("irc://chat.example.org/lobby"));
  g_assert_false (suda_irc_uri_is_tls ("not a uri"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/uri/table", test_table);
  g_test_add_func ("/client/uri/ircs-is-tls", test_ircs_is_tls);

  return g_test_run ();
}
