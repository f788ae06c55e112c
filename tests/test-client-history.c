/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client window and the server's history: older pages loaded when the
 * history is scrolled to the top (draft/chathistory), the "New messages"
 * line, and the read position shared with the server (draft/read-marker). */
#include "config.h"

#include <string.h>

#include "suda-log-entry.h"
#include "suda-message-row.h"
#include "suda-test-fake-irc.h"
#include "suda-test-gtk.h"
#include "suda-test-util.h"
#include "suda-test-window.h"
#include "suda-window.h"

typedef struct {
  SudaTestWindow   w;
  SudaTestFakeIrc *fake;
  char            *dir;
  guint            n_requests;   /* times a conversation went loading older lines */
  guint            n_indicated;  /* of those, times the indicator showed */
  GtkWidget       *indicator;
} Fixture;

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->w.window != NULL)
    suda_test_window_close (&f->w);
  g_clear_pointer (&f->fake, suda_test_fake_irc_free);
  g_clear_pointer (&f->dir, g_free);
}

static SudaConversation *
lab (Fixture *f)
{
  return suda_client_find_conversation (suda_window_get_client (f->w.window), "#lab");
}

/* The view shows all of the conversation (it passes appends on a few
 * times a second), laid out and painted. */
static gboolean
view_caught_up (gpointer data)
{
  Fixture *f = data;
  GListModel *shown = G_LIST_MODEL (gtk_list_view_get_model (suda_test_window_child (&f->w, "history_list")));

  return g_list_model_get_n_items (shown) == g_list_model_get_n_items (G_LIST_MODEL (lab (f)));
}

static void
paint (Fixture *f)
{
  SudaTestFrame frame;

  g_assert_true (suda_test_wait_until (view_caught_up, f, 5000));
  suda_test_gtk_frame_init (&frame, GTK_WIDGET (f->w.window));
  g_assert_true (suda_test_wait_until (suda_test_gtk_frame_painted, &frame, 5000));
}

/* The texts of the people's lines in CONV, in order. */
static GPtrArray *
dup_texts (SudaConversation *conv)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conv));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      if (suda_message_get_kind (m) == SUDA_MESSAGE_KIND_MESSAGE)
        g_ptr_array_add (texts, g_strdup (suda_message_get_text (m)));
    }
  return texts;
}

static gboolean
has_text (SudaConversation *conv,
          const char       *text)
{
  g_autoptr(GPtrArray) texts = dup_texts (conv);

  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (g_ptr_array_index (texts, i), text))
      return TRUE;
  return FALSE;
}

typedef struct {
  SudaConversation *conv;
  const char       *text;
} Said;

static gboolean
said (gpointer data)
{
  Said *s = data;

  return has_text (s->conv, s->text);
}

static void
await_text (SudaConversation *conv,
            const char       *text)
{
  Said s = { conv, text };

  g_assert_true (suda_test_wait_until (said, &s, 5000));
}

static SudaMessage *
find_message (SudaConversation *conv,
              const char       *text,
              guint            *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conv));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      if (g_strcmp0 (suda_message_get_text (m), text) == 0)
        {
          if (position)
            *position = i;
          return m;   /* the conversation keeps a reference */
        }
    }
  return NULL;
}

/* Whether the history view shows the row of MESSAGE, whole, right now. */
static gboolean
row_in_view (Fixture     *f,
             SudaMessage *message)
{
  GtkWidget *list = suda_test_window_child (&f->w, "history_list");
  GtkWidget *scroller = suda_test_window_child (&f->w, "history_scroller");

  for (GtkWidget *item = gtk_widget_get_first_child (list); item; item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *row = gtk_widget_get_first_child (item);
      graphene_rect_t bounds;

      if (!SUDA_IS_MESSAGE_ROW (row) || suda_message_row_get_message (SUDA_MESSAGE_ROW (row)) != message ||
          !gtk_widget_get_mapped (row) || !gtk_widget_compute_bounds (row, scroller, &bounds))
        continue;
      return bounds.size.height > 0 && bounds.origin.y >= 0 &&
             bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroller);
    }
  return FALSE;
}

static void
loading_changed_cb (SudaConversation *conv,
                    GParamSpec       *pspec,
                    Fixture          *f)
{
  if (!suda_conversation_get_loading_older (conv))
    return;
  f->n_requests++;
  f->n_indicated += gtk_widget_get_visible (f->indicator);
}

static gboolean
page_done (gpointer data)
{
  return !suda_conversation_get_loading_older (data);
}

static void
scroll_to_top (Fixture *f)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (suda_test_window_child (&f->w, "history_scroller"));

  gtk_adjustment_set_value (adj, 0);
  /* The request goes out from an idle once the value settled. */
  suda_test_gtk_drain ();
}

/* 300 lines in the server's log, the last 50 replayed on join: scrolling
 * to the top loads the rest page by page, in order and once each, keeping
 * the line that was at the top in view; an empty page ends it, and no
 * request follows. */
static void
test_scroll_back (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  g_autoptr(SudaTestClient) bob = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  SudaConversation *conv;
  guint pages = 0;

  f->dir = suda_test_make_tmpdir ();
  config->log_path = g_build_filename (f->dir, "chat.jsonl", NULL);
  suda_test_window_open_on (&f->w, 1000, suda_test_server_new_unthrottled (config));
  bob = suda_test_client_register_joined (suda_server_get_port (f->w.server), "bob", NULL, "#lab");
  for (guint i = 1; i <= 300; i++)
    suda_test_client_send (bob, "PRIVMSG #lab :line %03u", i);
  g_ptr_array_unref (suda_test_client_sync (bob));

  suda_test_window_connect (&f->w, "alice");
  conv = lab (f);
  await_text (conv, "line 300");
  g_assert_false (has_text (conv, "line 250"));
  g_signal_connect (conv, "notify::loading-older", G_CALLBACK (loading_changed_cb), f);
  f->indicator = suda_test_window_child (&f->w, "older_indicator");
  g_assert_false (gtk_widget_get_visible (f->indicator));
  paint (f);

  while (!suda_conversation_get_at_start (conv))
    {
      g_autoptr(GPtrArray) before = dup_texts (conv);
      SudaMessage *top = find_message (conv, g_ptr_array_index (before, 0), NULL);

      g_assert_cmpuint (pages++, <, 5);
      scroll_to_top (f);
      g_assert_cmpuint (f->n_requests, ==, pages);
      g_assert_cmpuint (f->n_indicated, ==, pages);
      g_assert_true (suda_test_wait_until (page_done, conv, 5000));
      g_assert_false (gtk_widget_get_visible (f->indicator));
      paint (f);
      /* The view did not jump: the old top line is still in sight. */
      g_assert_true (row_in_view (f, top));
    }
  /* 250 older lines in pages of 100, then the empty page. */
  g_assert_cmpuint (f->n_requests, ==, 4);
  texts = dup_texts (conv);
  g_assert_cmpuint (texts->len, ==, 300);
  for (guint i = 0; i < texts->len; i++)
    {
      g_autofree char *expected = g_strdup_printf ("line %03u", i + 1);

      g_assert_cmpstr (g_ptr_array_index (texts, i), ==, expected);
    }
  g_assert_nonnull (find_message (conv, "This is the start of the conversation.", NULL));

  /* At the start, scrolling to the top asks for nothing more. */
  scroll_to_top (f);
  g_assert_cmpuint (f->n_requests, ==, 4);
  g_assert_false (suda_conversation_get_loading_older (conv));
}

static gboolean
lab_is_joined (gpointer data)
{
  Fixture *f = data;

  return lab (f) != NULL && suda_conversation_get_joined (lab (f));
}

/* A server with no draft/chathistory (no CAP at all here): scrolling to
 * the top sends nothing. */
static void
test_no_chathistory (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();

  suda_test_window_open_on (&f->w, 1000, suda_test_server_new (config));
  f->fake = suda_test_fake_irc_new ();
  gtk_editable_set_text (GTK_EDITABLE (suda_test_window_child (&f->w, "server_entry")), "127.0.0.1");
  gtk_spin_button_set_value (suda_test_window_child (&f->w, "port_spin"), f->fake->port);
  gtk_editable_set_text (GTK_EDITABLE (suda_test_window_child (&f->w, "nick_entry")), "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.connect", NULL);
  suda_test_fake_irc_register (f->fake, "alice");
  g_string_append (lines, ":alice!a@h JOIN #lab\r\n");
  for (guint i = 1; i <= 80; i++)
    g_string_append_printf (lines, "@msgid=m%u :bob!b@h PRIVMSG #lab :line %u\r\n", i, i);
  suda_test_fake_irc_send (f->fake, lines->str);
  g_assert_true (suda_test_wait_until (lab_is_joined, f, 5000));
  await_text (lab (f), "line 80");
  paint (f);

  scroll_to_top (f);
  suda_test_fake_irc_sync (f->fake);
  g_assert_false (suda_conversation_get_loading_older (lab (f)));
  g_assert_null (strstr (f->fake->received->str, "CHATHISTORY"));
  g_assert_null (strstr (f->fake->received->str, "MARKREAD"));
}

/* The text of the first person's line under the marker, or NULL. */
static const char *
text_under_marker (SudaConversation *conv)
{
  gint pos = suda_conversation_get_marker_position (conv);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conv));

  for (guint i = pos < 0 ? n : (guint) pos + 1; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      if (suda_message_get_kind (m) == SUDA_MESSAGE_KIND_MESSAGE)
        return suda_message_get_text (m);   /* the conversation keeps it */
    }
  return NULL;
}

static guint
count_markers (SudaConversation *conv)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conv)), found = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      found += suda_message_get_kind (m) == SUDA_MESSAGE_KIND_UNREAD_MARKER;
    }
  return found;
}

/* A window connected as alice to its own server, with bob in #lab. */
static SudaTestClient *
open_with_bob (Fixture *f)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  SudaTestClient *bob;

  suda_test_window_open_on (&f->w, 1000, suda_test_server_new_unthrottled (config));
  bob = suda_test_client_register_joined (suda_server_get_port (f->w.server), "bob", NULL, "#lab");
  suda_test_window_connect (&f->w, "alice");
  /* Xvfb has no window manager to make the window active. */
  suda_client_set_window_active (suda_window_get_client (f->w.window), TRUE);
  return bob;
}

/* "New messages" above the first line that came while the person was
 * elsewhere; it stays while they read, moves when they come back after
 * more came, and goes when nothing did. */
static void
test_unread_marker (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = open_with_bob (f);
  SudaClient *client = suda_window_get_client (f->w.window);
  SudaConversation *server = suda_client_get_server_conversation (client);
  SudaConversation *conv = lab (f);
  g_autoptr(SudaMessage) marker = NULL;
  gint pos;

  suda_test_client_send (bob, "PRIVMSG #lab :seen at once");
  await_text (conv, "seen at once");
  g_assert_cmpint (suda_conversation_get_marker_position (conv), ==, -1);

  suda_window_show_conversation (f->w.window, server);
  suda_test_client_send (bob, "PRIVMSG #lab :first unread");
  suda_test_client_send (bob, "PRIVMSG #lab :second unread");
  await_text (conv, "second unread");
  g_assert_cmpuint (suda_conversation_get_unread_count (conv), ==, 2);
  suda_window_show_conversation (f->w.window, conv);
  g_assert_cmpuint (suda_conversation_get_unread_count (conv), ==, 0);
  pos = suda_conversation_get_marker_position (conv);
  g_assert_cmpint (pos, >=, 0);
  g_assert_cmpstr (text_under_marker (conv), ==, "first unread");
  marker = g_list_model_get_item (G_LIST_MODEL (conv), pos);
  paint (f);
  g_assert_true (row_in_view (f, marker));
  g_assert_nonnull (suda_test_find_label (GTK_WIDGET (f->w.window), "New messages"));

  /* Read on: it stays. */
  suda_test_client_send (bob, "PRIVMSG #lab :while reading");
  await_text (conv, "while reading");
  g_assert_cmpint (suda_conversation_get_marker_position (conv), ==, pos);
  g_assert_cmpstr (text_under_marker (conv), ==, "first unread");

  /* Away and back after more came: it moves. */
  suda_window_show_conversation (f->w.window, server);
  suda_test_client_send (bob, "PRIVMSG #lab :later");
  await_text (conv, "later");
  suda_window_show_conversation (f->w.window, conv);
  g_assert_cmpstr (text_under_marker (conv), ==, "later");
  g_assert_cmpuint (count_markers (conv), ==, 1);

  /* Away and back with nothing new: it goes. */
  suda_window_show_conversation (f->w.window, server);
  suda_window_show_conversation (f->w.window, conv);
  g_assert_cmpint (suda_conversation_get_marker_position (conv), ==, -1);
  g_assert_cmpuint (count_markers (conv), ==, 0);
}

static gboolean
marker_in_view (gpointer data)
{
  Fixture *f = data;
  gint pos = suda_conversation_get_marker_position (lab (f));
  g_autoptr(SudaMessage) marker = pos >= 0 ? g_list_model_get_item (G_LIST_MODEL (lab (f)), pos) : NULL;

  return marker != NULL && row_in_view (f, marker);
}

/* More unread lines than a screen: coming back shows the marker, not the
 * end, and the view no longer sticks to the end. */
static void
test_unread_marker_scrolls (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = open_with_bob (f);
  SudaClient *client = suda_window_get_client (f->w.window);
  SudaConversation *conv = lab (f);

  suda_window_show_conversation (f->w.window, suda_client_get_server_conversation (client));
  for (guint i = 1; i <= 80; i++)
    suda_test_client_send (bob, "PRIVMSG #lab :unread %u", i);
  await_text (conv, "unread 80");
  suda_window_show_conversation (f->w.window, conv);
  g_assert_cmpstr (text_under_marker (conv), ==, "unread 1");
  g_assert_true (suda_test_wait_until (marker_in_view, f, 5000));
  paint (f);
  g_assert_true (marker_in_view (f));
  g_assert_false (suda_window_get_sticks_to_bottom (f->w.window));
}

static gboolean
read_to_end (gpointer data)
{
  SudaConversation *conv = data;

  return suda_conversation_get_read_time (conv) > 0 &&
         suda_conversation_get_read_time (conv) == suda_conversation_get_newest_time (conv);
}

/* Read to the end in the window: MARKREAD tells the server, which keeps it
 * for the person's next connection. */
static void
test_markread_sent (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(SudaTestClient) bob = open_with_bob (f);
  g_autoptr(SudaTestClient) again = NULL;
  SudaConversation *conv = lab (f);
  g_autofree char *time = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (suda_connection_has_cap (suda_window_get_connection (f->w.window), "draft/read-marker"));
  suda_test_client_send (bob, "PRIVMSG #lab :read this");
  await_text (conv, "read this");
  g_assert_true (suda_test_wait_until (read_to_end, conv, 5000));
  time = suda_log_format_time (suda_conversation_get_newest_time (conv));

  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.disconnect", NULL);
  g_free (suda_test_client_expect (bob, ":alice!* QUIT *"));
  again = suda_test_user (f->w.server, "alice", "draft/read-marker");
  suda_test_client_send (again, "MARKREAD #lab");
  expected = g_strdup_printf (":suda.local MARKREAD #lab timestamp=%s", time);
  suda_test_client_await (again, expected);
}

static gboolean
nothing_unread (gpointer data)
{
  return suda_conversation_get_unread_count (data) == 0;
}

/* A MARKREAD from the server (the person read on elsewhere) clears what
 * it covers from the unread count, and only that. */
static void
test_markread_received (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(SudaServerConfig) config = suda_server_config_new ();
  SudaConversation *conv;

  suda_test_window_open_on (&f->w, 1000, suda_test_server_new (config));
  f->fake = suda_test_fake_irc_new ();
  gtk_editable_set_text (GTK_EDITABLE (suda_test_window_child (&f->w, "server_entry")), "127.0.0.1");
  gtk_spin_button_set_value (suda_test_window_child (&f->w, "port_spin"), f->fake->port);
  gtk_editable_set_text (GTK_EDITABLE (suda_test_window_child (&f->w, "nick_entry")), "alice");
  gtk_widget_activate_action (GTK_WIDGET (f->w.window), "win.connect", NULL);
  suda_test_fake_irc_register (f->fake, "alice");
  suda_test_fake_irc_send (f->fake, ":alice!a@h JOIN #lab\r\n");
  g_assert_true (suda_test_wait_until (lab_is_joined, f, 5000));
  conv = lab (f);
  suda_window_show_conversation (f->w.window,
                                 suda_client_get_server_conversation (suda_window_get_client (f->w.window)));
  suda_test_fake_irc_send (f->fake,
                           "@time=2026-05-01T10:00:00.000Z :bob!b@h PRIVMSG #lab :one\r\n"
                           "@time=2026-05-01T10:01:00.000Z :bob!b@h PRIVMSG #lab :two\r\n"
                           "@time=2026-05-01T10:02:00.000Z :bob!b@h PRIVMSG #lab :three\r\n");
  await_text (conv, "three");
  g_assert_cmpuint (suda_conversation_get_unread_count (conv), ==, 3);

  suda_test_fake_irc_send (f->fake, ":fake.local MARKREAD #lab timestamp=2026-05-01T10:01:00.000Z\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpuint (suda_conversation_get_unread_count (conv), ==, 1);
  /* Never back. */
  suda_test_fake_irc_send (f->fake, ":fake.local MARKREAD #lab timestamp=2026-05-01T09:00:00.000Z\r\n");
  suda_test_fake_irc_sync (f->fake);
  g_assert_cmpuint (suda_conversation_get_unread_count (conv), ==, 1);
  suda_test_fake_irc_send (f->fake, ":fake.local MARKREAD #lab timestamp=2026-05-01T10:02:00.000Z\r\n");
  g_assert_true (suda_test_wait_until (nothing_unread, conv, 5000));
}

/* The kinds and texts of CONV's items in order, one string: "| day" for a
 * separator, the text for a line. */
static char *
dup_layout (SudaConversation *conv)
{
  GString *out = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (conv));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      if (suda_message_get_kind (m) == SUDA_MESSAGE_KIND_DATE_SEPARATOR)
        {
          g_autoptr(GDateTime) day = g_date_time_new_from_unix_local (suda_message_get_time (m) / G_USEC_PER_SEC);
          g_autofree char *text = g_date_time_format (day, "%d");

          g_string_append_printf (out, "%s| %s", out->len ? ", " : "", text);
        }
      else
        g_string_append_printf (out, "%s%s", out->len ? ", " : "", suda_message_get_text (m));
    }
  return g_string_free (out, FALSE);
}

/* Suda's own server replays a room's history after the end of NAMES: the
 * older lines still go above "You joined" (and the topic told on joining),
 * which stays the last line before live chat, with one day separator a day; a server that replays nothing
 * (ngircd, InspIRCd) shows the join line where it came. */
static void
test_join_line_below_late_replay (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(SudaClient) client = suda_client_new ();
  g_autofree char *layout = NULL;
  SudaConversation *conv;

  f->fake = suda_test_fake_irc_new ();
  suda_client_connect (client, "127.0.0.1", f->fake->port, "rose", NULL);
  suda_test_fake_irc_register (f->fake, "rose");

  /* Noon UTC, so the days are the same ones in any time zone of the tests. */
  suda_test_fake_irc_send (f->fake,
                           "@time=2026-11-30T12:30:00.000Z :rose!r@h JOIN #lab\r\n"
                           "@time=2026-11-30T12:30:00.000Z :fake.local 332 rose #lab :Exams on Friday\r\n"
                           ":fake.local 353 rose = #lab :rose @bob\r\n"
                           ":fake.local 366 rose #lab :End of NAMES\r\n"
                           "BATCH +r1 chathistory #lab\r\n"
                           "@batch=r1;time=2026-11-30T12:00:00.000Z :bob!b@h PRIVMSG #lab :before you came\r\n"
                           "@batch=r1;time=2026-11-30T12:00:01.000Z :bob!b@h PRIVMSG #lab :still before\r\n"
                           "BATCH -r1\r\n"
                           "@time=2026-11-30T12:31:00.000Z :bob!b@h PRIVMSG #lab :after you came\r\n");
  suda_test_fake_irc_sync (f->fake);
  conv = suda_client_find_conversation (client, "#lab");
  layout = dup_layout (conv);
  g_assert_cmpstr (layout, ==, "| 30, before you came, still before, You joined #lab, Topic: Exams on Friday, "
                   "after you came");
  g_clear_pointer (&layout, g_free);

  /* Lines of an earlier day: each day its separator, none doubled, and
   * the join line's day starts again above it. */
  suda_test_fake_irc_send (f->fake,
                           "@time=2026-11-30T12:30:00.000Z :rose!r@h JOIN #old\r\n"
                           ":fake.local 366 rose #old :End of NAMES\r\n"
                           "BATCH +r2 chathistory #old\r\n"
                           "@batch=r2;time=2026-11-28T12:00:00.000Z :bob!b@h PRIVMSG #old :two days ago\r\n"
                           "@batch=r2;time=2026-11-29T12:00:00.000Z :bob!b@h PRIVMSG #old :yesterday\r\n"
                           "@batch=r2;time=2026-11-29T12:10:00.000Z :bob!b@h PRIVMSG #old :yesterday too\r\n"
                           "@batch=r2;time=2026-11-30T12:00:00.000Z :bob!b@h PRIVMSG #old :today\r\n"
                           "BATCH -r2\r\n");
  suda_test_fake_irc_sync (f->fake);
  layout = dup_layout (suda_client_find_conversation (client, "#old"));
  g_assert_cmpstr (layout, ==, "| 28, two days ago, | 29, yesterday, yesterday too, | 30, today, You joined #old");
  g_clear_pointer (&layout, g_free);

  /* Once live chat began, a replayed line goes at the end as before. */
  suda_test_fake_irc_send (f->fake,
                           "BATCH +r3 chathistory #lab\r\n"
                           "@batch=r3;time=2026-11-30T11:00:00.000Z :bob!b@h PRIVMSG #lab :late page\r\n"
                           "BATCH -r3\r\n");
  suda_test_fake_irc_sync (f->fake);
  layout = dup_layout (conv);
  g_assert_cmpstr (layout, ==, "| 30, before you came, still before, You joined #lab, Topic: Exams on Friday, "
                   "after you came, late page");
  g_clear_pointer (&layout, g_free);

  /* No replay at all: nothing moves. */
  suda_test_fake_irc_send (f->fake,
                           "@time=2026-11-30T12:40:00.000Z :rose!r@h JOIN #quiet\r\n"
                           ":fake.local 366 rose #quiet :End of NAMES\r\n"
                           "@time=2026-11-30T12:41:00.000Z :bob!b@h PRIVMSG #quiet :hello\r\n");
  suda_test_fake_irc_sync (f->fake);
  layout = dup_layout (suda_client_find_conversation (client, "#quiet"));
  g_assert_cmpstr (layout, ==, "| 30, You joined #quiet, hello");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (!gtk_init_check ())
    {
          return 77;
    }
  adw_init ();

  g_test_add ("/client/history/scroll-back", Fixture, NULL, NULL, test_scroll_back, fixture_tear_down);
  g_test_add ("/client/history/no-chathistory", Fixture, NULL, NULL, test_no_chathistory, fixture_tear_down);
  g_test_add ("/client/history/unread-marker", Fixture, NULL, NULL, test_unread_marker, fixture_tear_down);
  g_test_add ("/client/history/unread-marker/scrolls", Fixture, NULL, NULL, test_unread_marker_scrolls,
              fixture_tear_down);
  g_test_add ("/client/history/markread/sent", Fixture, NULL, NULL, test_markread_sent, fixture_tear_down);
  g_test_add ("/client/history/markread/received", Fixture, NULL, NULL, test_markread_received,
              fixture_tear_down);
  g_test_add ("/client/history/join-line-below-late-replay", Fixture, NULL, NULL,
              test_join_line_below_late_replay, fixture_tear_down);
  return g_test_run ();
}
