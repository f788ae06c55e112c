/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client window against a scripted hostile server (a GSocketService
 * in this test): the lines that crashed it, then a few thousand seeded
 * random and malformed ones.  Afterwards the window must be alive, still
 * connected, and a line typed into it must still reach the server. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "suda-application.h"
#include "suda-test-fake-irc.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-window.h"

#define N_RANDOM_LINES 3000

typedef struct {
  SudaTestFakeIrc *fake;
  GSettings       *settings;
  SudaWindow      *window;
} Fixture;

static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), SUDA_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static SudaClient *
client (Fixture *f)
{
  return suda_window_get_client (f->window);
}

static gboolean
lobby_is_joined (gpointer data)
{
  SudaConversation *lobby = suda_client_find_conversation (client (data), "#lobby");

  return lobby != NULL && suda_conversation_get_joined (lobby) &&
         suda_conversation_find_member (lobby, "bob") != NULL;
}

static void
join_lobby (Fixture *f)
{
  suda_test_fake_irc_send (f->fake,
                           ":rose!r@h JOIN #lobby\r\n"
                           ":irc.example 353 rose = #lobby :rose @bob carol\r\n"
                           ":irc.example 366 rose #lobby :End of NAMES\r\n");
  g_assert_true (suda_test_wait_until (lobby_is_joined, f, 5000));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->fake = suda_test_fake_irc_new ();
  f->settings = g_settings_new ("chat.suda.Suda");
  g_settings_set_string (f->settings, "room", "#lobby");
  /* The test servers here speak in clear (TLS: test-client-window-tls.c). */
  g_settings_set_boolean (f->settings, "tls", FALSE);
  g_settings_set_boolean (f->settings, "keep-transcripts", FALSE);
  f->window = suda_window_new (NULL, f->settings);
  g_object_ref_sink (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (suda_test_wait_until (suda_test_gtk_is_mapped, f->window, 5000));

  gtk_editable_set_text (GTK_EDITABLE (child (f, "server_entry")), "127.0.0.1");
  gtk_spin_button_set_value (child (f, "port_spin"), f->fake->port);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "nick_entry")), "rose");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.connect", NULL);
  suda_test_fake_irc_register (f->fake, "rose");
  suda_test_fake_irc_expect (f->fake, "JOIN #lobby");
  join_lobby (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  g_clear_object (&f->settings);
  g_clear_pointer (&f->fake, suda_test_fake_irc_free);
  suda_test_gtk_drain ();
}

/* The lines of issue 21 and their kin: each crashed or half-filled the
 * client once. */
static const char reproducers[] =
  "QUIT :bye\r\n"
  "NICK newnick\r\n"
  "PART #lobby\r\n"
  "JOIN #lobby\r\n"
  "KICK #lobby bob :out\r\n"
  ": QUIT :bye\r\n"
  ":!@ NICK x\r\n"
  "353\r\n"
  "332 rose #lobby\r\n"
  "BATCH +\r\n"
  "CAP * LS * :\r\n";

static const char * const nicks[] = { "bob", "carol", "dave", "eve", "mallory", "trent", "rose", "suda" };
static const char * const commands[] = {
  "PRIVMSG", "NOTICE", "JOIN", "PART", "QUIT", "NICK", "KICK", "TOPIC", "MODE", "BATCH", "CAP",
  "PING", "ERROR", "001", "005", "332", "353", "366", "401", "433", "999", "",
};

static void
append_random_text (GString *line,
                    GRand   *rand,
                    guint    max_len)
{
  static const char * const pieces[] = {
    "hello", " ", "rose", "안녕하세요", "\\", ":", ";", "@", "!", "#", "\001", "\002", "\003",
    "\t", "é", "\xe2\x80\xae", "https://example.org/", "\xff", "<b>", "&amp;", "%s", "%n",
  };
  guint n = g_rand_int_range (rand, 0, max_len + 1);

  for (guint i = 0; i < n; i++)
    g_string_append (line, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
}

static const char *
pick_nick (GRand *rand)
{
  return nicks[g_rand_int_range (rand, 0, G_N_ELEMENTS (nicks))];
}

/* One line of the kinds issue 21 lists, seeded: random bytes, odd tag
 * escapes and long msgids, missing or empty prefixes, 300-character
 * channel names, short numerics, NUL bytes, lone CRs, BATCH and CAP
 * nonsense, and well-formed lines between them. */
static void
line_of_bytes (GString *line,
               GRand   *rand)
{
  for (guint i = g_rand_int_range (rand, 1, 300); i > 0; i--)
    {
      char c = (char) g_rand_int_range (rand, 0, 256);

      g_string_append_c (line, c == '\n' ? ' ' : c);
    }
}

static void
line_with_long_tags (GString *line,
                     GRand   *rand)
{
  g_autofree char *msgid = g_strnfill (g_rand_int_range (rand, 250, 400), 'm');

  g_string_append_printf (line, "@time=2026-11-30T1%d:00:00.000Z;msgid=%s;x=\\:\\s\\\\\\;y=\\ ",
                          g_rand_int_range (rand, 0, 10), msgid);
  g_string_append_printf (line, ":%s!u@h PRIVMSG #lobby :", pick_nick (rand));
  append_random_text (line, rand, 10);
}

static void
line_with_odd_prefix (GString *line,
                      GRand   *rand)
{
  static const char * const prefixes[] = { "", ": ", ":!", ":@h ", ":!u@h ", "@ ", "@;; : " };

  g_string_append_printf (line, "%s%s #lobby :x",
                          prefixes[g_rand_int_range (rand, 0, G_N_ELEMENTS (prefixes))],
                          commands[g_rand_int_range (rand, 0, G_N_ELEMENTS (commands))]);
}

static void
line_with_long_channel (GString *line,
                        GRand   *rand)
{
  g_autofree char *name = g_strnfill (300, 'c');

  g_string_append_printf (line, ":%s!u@h %s #%s :long", pick_nick (rand),
                          g_rand_boolean (rand) ? "JOIN" : "PRIVMSG", name);
}

static void
line_short_numeric (GString *line,
                    GRand   *rand)
{
  g_string_append_printf (line, "%03d", g_rand_int_range (rand, 1, 600));
  for (guint i = g_rand_int_range (rand, 0, 3); i > 0; i--)
    g_string_append_printf (line, " %s", pick_nick (rand));
}

static void
line_with_nul (GString *line,
               GRand   *rand)
{
  g_string_append_printf (line, ":%s!u@h PRIVMSG #lobby :a", pick_nick (rand));
  g_string_append_c (line, '\0');
  g_string_append (line, "b");
}

static void
line_with_lone_cr (GString *line,
                   GRand   *rand)
{
  g_string_append_printf (line, "PING :cr\r:%s!u@h PRIVMSG #lobby :after a lone CR\r",
                          pick_nick (rand));
}

static void
line_of_batch (GString *line,
               GRand   *rand)
{
  guint ref = g_rand_int_range (rand, 0, 50);

  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0: g_string_append_printf (line, "BATCH +%u chathistory #lobby", ref); break;
    case 1: g_string_append_printf (line, "BATCH -%u", ref); break;
    case 2: g_string_append_printf (line, "@batch=%u BATCH +%u x", ref, ref + 1); break;
    default: g_string_append_printf (line, "@batch=%u :bob!b@h PRIVMSG #lobby :in a batch", ref); break;
    }
}

static void
line_of_cap (GString *line,
             GRand   *rand)
{
  g_string_append_printf (line, "CAP %s %s :", g_rand_boolean (rand) ? "*" : "rose",
                          (const char *[]) { "LS", "ACK", "NAK", "NEW", "DEL", "" }[g_rand_int_range (rand, 0, 6)]);
  append_random_text (line, rand, 4);
}

static void
line_of_mode (GString *line,
              GRand   *rand)
{
  g_string_append_printf (line, ":%s!u@h MODE #lobby %s %s %s", pick_nick (rand),
                          (const char *[]) { "+o", "-v", "+ov", "+b", "-o+v", "+", "+l" }[g_rand_int_range (rand, 0, 7)],
                          pick_nick (rand), pick_nick (rand));
}

static void
line_well_formed (GString *line,
                  GRand   *rand)
{
  const char *command = commands[g_rand_int_range (rand, 0, G_N_ELEMENTS (commands))];

  g_string_append_printf (line, ":%s!u@h %s %s :", pick_nick (rand), command,
                          g_rand_int_range (rand, 0, 4) == 0 ? pick_nick (rand) : "#lobby");
  append_random_text (line, rand, 12);
}

static void
append_random_line (GString *out,
                    GRand   *rand)
{
  /* Well-formed lines come twice as often as each kind of nonsense. */
  static void (* const kinds[]) (GString *, GRand *) = {
    line_of_bytes, line_with_long_tags, line_with_odd_prefix, line_with_long_channel,
    line_short_numeric, line_with_nul, line_with_lone_cr, line_of_batch, line_of_cap,
    line_of_mode, line_well_formed, line_well_formed,
  };
  g_autoptr(GString) line = g_string_new (NULL);

  kinds[g_rand_int_range (rand, 0, G_N_ELEMENTS (kinds))] (line, rand);
  g_string_append_len (out, line->str, line->len);
  g_string_append (out, "\r\n");
}

static gboolean
is_alive (Fixture *f)
{
  SudaConnectionState state = suda_connection_get_state (suda_client_get_connection (client (f)));

  return gtk_widget_get_visible (GTK_WIDGET (f->window)) &&
         (state == SUDA_CONNECTION_CONNECTED || state == SUDA_CONNECTION_RECONNECTING ||
          state == SUDA_CONNECTION_REGISTERING || state == SUDA_CONNECTION_CONNECTING);
}

static void
test_survives_hostile_server (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);
  SudaConversation *lobby;
  const char *hold;

  /* Each reproducer alone, then proof it was read. */
  for (const char *p = reproducers; *p; )
    {
      const char *end = strstr (p, "\r\n") + 2;

      suda_test_fake_irc_send_len (f->fake, p, end - p);
      suda_test_fake_irc_sync (f->fake);
      g_assert_true (is_alive (f));
      p = end;
    }
  g_assert_true (lobby_is_joined (f));

  /* The flood, in bursts, with the window drawing between them. */
  for (guint sent = 0; sent < N_RANDOM_LINES; )
    {
      g_autoptr(GString) burst = g_string_new (NULL);
      SudaTestFrame frame;

      for (guint i = 0; i < 100; i++, sent++)
        append_random_line (burst, rand);
      suda_test_fake_irc_send_len (f->fake, burst->str, burst->len);
      suda_test_gtk_frame_init (&frame, GTK_WIDGET (f->window));
      g_assert_true (suda_test_wait_until (suda_test_gtk_frame_painted, &frame, 5000));
    }
  suda_test_fake_irc_sync (f->fake);
  g_assert_true (is_alive (f));
  g_assert_true (suda_connection_is_connected (suda_client_get_connection (client (f))));

  /* Still responsive: back in #lobby, a typed line reaches the server. */
  join_lobby (f);
  lobby = suda_client_find_conversation (client (f), "#lobby");
  suda_window_show_conversation (f->window, lobby);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (child (f, "input_view")),
                            "still here after the storm", -1);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  suda_test_fake_irc_expect (f->fake, "PRIVMSG #lobby :still here after the storm");

  /* SUDA_TEST_HOLD_MS keeps the window up that long, for a screenshot. */
  if ((hold = g_getenv ("SUDA_TEST_HOLD_MS")) != NULL)
    suda_test_iterate (atoi (hold));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* As in test-client-window.c: no accessibility bus under xvfb-run. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("no display: run under xvfb-run\n");
      return 77;
    }
  adw_init ();

  g_test_add ("/client/window/hostile/survives-and-answers", Fixture, NULL,
              fixture_set_up, test_survives_hostile_server, fixture_tear_down);
  return g_test_run ();
}
