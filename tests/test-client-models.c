/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client's models: messages, conversations, members, and the helpers
 * the history rows show them with. */
#include "config.h"

#include <string.h>

#include "suda-conversation.h"
#include "suda-limits.h"
#include "suda-application.h"
#include "suda-message-row.h"
#include "suda-server-list.h"
#include "suda-test-util.h"
#include "suda-throttled-list.h"

static gint64
local_time (int year, int month, int day, int hour, int minute)
{
  g_autoptr(GDateTime) dt = g_date_time_new_local (year, month, day, hour, minute, 0);

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_message_properties (void)
{
  g_autoptr(SudaMessage) m = suda_message_new (SUDA_MESSAGE_KIND_ACTION, 1234, "bob", "waves");
  guint notified = 0;
  g_autofree char *sender = NULL;
  SudaMessageKind kind;

  g_assert_cmpint (suda_message_get_kind (m), ==, SUDA_MESSAGE_KIND_ACTION);
  g_assert_cmpint (suda_message_get_time (m), ==, 1234);
  g_assert_cmpstr (suda_message_get_sender (m), ==, "bob");
  g_assert_cmpstr (suda_message_get_text (m), ==, "waves");
  g_object_get (m, "sender", &sender, "kind", &kind, NULL);
  g_assert_cmpstr (sender, ==, "bob");
  g_assert_cmpint (kind, ==, SUDA_MESSAGE_KIND_ACTION);

  g_signal_connect (m, "notify::mention", G_CALLBACK (count_notify), &notified);
  suda_message_set_mention (m, TRUE);
  suda_message_set_mention (m, TRUE);   /* no change, no notify */
  g_assert_true (suda_message_get_mention (m));
  g_assert_cmpuint (notified, ==, 1);
  g_assert_false (suda_message_get_own (m));
  g_assert_false (suda_message_get_replayed (m));
}

static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *count)
{
  (*count)++;
}

static SudaMessageKind
kind_at (SudaConversation *conv,
         guint             position)
{
  g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), position);

  return suda_message_get_kind (m);
}

static void
test_date_separators (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#lab");
  SudaMessage *batch[3];
  guint changes = 0;

  g_signal_connect (conv, "items-changed", G_CALLBACK (count_items_changed), &changes);
  batch[0] = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, local_time (2026, 3, 1, 10, 0), "a", "one");
  batch[1] = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, local_time (2026, 3, 1, 23, 59), "b", "two");
  batch[2] = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, local_time (2026, 3, 2, 0, 1), "a", "three");
  suda_conversation_append_many (conv, batch, 3, FALSE);
  for (guint i = 0; i < 3; i++)
    g_object_unref (batch[i]);

  /* separator, one, two, separator, three — in a single change */
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conv)), ==, 5);
  g_assert_cmpuint (suda_conversation_get_n_messages (conv), ==, 3);
  g_assert_cmpint (kind_at (conv, 0), ==, SUDA_MESSAGE_KIND_DATE_SEPARATOR);
  g_assert_cmpint (kind_at (conv, 1), ==, SUDA_MESSAGE_KIND_MESSAGE);
  g_assert_cmpint (kind_at (conv, 2), ==, SUDA_MESSAGE_KIND_MESSAGE);
  g_assert_cmpint (kind_at (conv, 3), ==, SUDA_MESSAGE_KIND_DATE_SEPARATOR);
  g_assert_cmpint (kind_at (conv, 4), ==, SUDA_MESSAGE_KIND_MESSAGE);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (conv), 5));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (conv)) == SUDA_TYPE_MESSAGE);

  suda_conversation_clear (conv);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conv)), ==, 0);
}

static void
test_unread_and_mention (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#lab");
  g_autoptr(SudaMessage) plain = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, 1, "bob", "hi");
  g_autoptr(SudaMessage) own = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, 2, "me", "hello");
  g_autoptr(SudaMessage) event = suda_message_new (SUDA_MESSAGE_KIND_EVENT, 3, "bob", "bob joined");
  g_autoptr(SudaMessage) replayed = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, 4, "bob", "old");
  g_autoptr(SudaMessage) mention = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, 5, "bob", "me: look");
  guint notified = 0;

  suda_message_set_own (own, TRUE);
  suda_message_set_replayed (replayed, TRUE);
  suda_message_set_mention (mention, TRUE);
  g_signal_connect (conv, "notify::unread-count", G_CALLBACK (count_notify), &notified);

  suda_conversation_append (conv, plain, TRUE);
  suda_conversation_append (conv, own, TRUE);
  suda_conversation_append (conv, event, TRUE);
  suda_conversation_append (conv, replayed, TRUE);
  g_assert_cmpuint (suda_conversation_get_unread_count (conv), ==, 1);
  g_assert_false (suda_conversation_get_mention (conv));
  suda_conversation_append (conv, mention, FALSE);   /* seen as it came */
  g_assert_false (suda_conversation_get_mention (conv));
  suda_conversation_append (conv, mention, TRUE);
  g_assert_cmpuint (suda_conversation_get_unread_count (conv), ==, 2);
  g_assert_true (suda_conversation_get_mention (conv));
  g_assert_cmpuint (notified, ==, 2);

  suda_conversation_mark_read (conv);
  g_assert_cmpuint (suda_conversation_get_unread_count (conv), ==, 0);
  g_assert_false (suda_conversation_get_mention (conv));
}

static void
test_find_searches_backwards (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#lab");
  const char *texts[] = { "Socket basics", "nothing here", "more about SOCKETS", "bye" };
  gint first, second;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(SudaMessage) m = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, 1000 + i, "a", texts[i]);

      suda_conversation_append (conv, m, FALSE);
    }
  /* item 0 is the date separator */
  first = suda_conversation_find (conv, "socket", -1);
  g_assert_cmpint (first, ==, 3);
  second = suda_conversation_find (conv, "socket", first);
  g_assert_cmpint (second, ==, 1);
  g_assert_cmpint (suda_conversation_find (conv, "socket", second), ==, -1);
  g_assert_cmpint (suda_conversation_find (conv, "absent", -1), ==, -1);
  g_assert_cmpint (suda_conversation_find (conv, "", -1), ==, -1);
}

static char *
member_order (SudaConversation *conv)
{
  GListModel *members = suda_conversation_get_members (conv);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr(SudaMember) m = g_list_model_get_item (members, i);

      g_string_append_printf (out, "%s%s%s", i ? " " : "", suda_member_get_prefixes (m),
                              suda_member_get_nick (m));
    }
  return g_string_free (out, FALSE);
}

static void
test_members_operators_first (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#lab");
  g_autofree char *order1 = NULL;
  g_autofree char *order2 = NULL;
  g_autofree char *order3 = NULL;
  g_autofree char *order4 = NULL;
  guint changes = 0;

  g_signal_connect (suda_conversation_get_members (conv), "items-changed",
                    G_CALLBACK (count_items_changed), &changes);
  suda_conversation_add_pending_name (conv, "zoe", "");
  suda_conversation_add_pending_name (conv, "bob", "+");
  suda_conversation_add_pending_name (conv, "Carl", "@");
  suda_conversation_add_pending_name (conv, "amy", "");
  suda_conversation_add_pending_name (conv, "dan", "+@");   /* multi-prefix, any order */
  suda_conversation_commit_names (conv);
  g_assert_cmpuint (changes, ==, 1);
  order1 = member_order (conv);
  g_assert_cmpstr (order1, ==, "@Carl @+dan +bob amy zoe");
  g_assert_true (suda_member_get_operator (suda_conversation_find_member (conv, "CARL")));
  g_assert_false (suda_member_get_operator (suda_conversation_find_member (conv, "bob")));

  suda_conversation_set_member_mode (conv, "zoe", '@', TRUE);
  suda_conversation_set_member_mode (conv, "Carl", '@', FALSE);
  order2 = member_order (conv);
  g_assert_cmpstr (order2, ==, "@+dan @zoe +bob amy Carl");

  g_assert_true (suda_conversation_rename_member (conv, "amy", "Aaron"));
  suda_conversation_add_member (conv, "eve", NULL);
  suda_conversation_add_member (conv, "eve", NULL);   /* once only */
  order3 = member_order (conv);
  g_assert_cmpstr (order3, ==, "@+dan @zoe +bob Aaron Carl eve");

  g_assert_true (suda_conversation_remove_member (conv, "ZOE"));
  g_assert_false (suda_conversation_remove_member (conv, "zoe"));
  order4 = member_order (conv);
  g_assert_cmpstr (order4, ==, "@+dan +bob Aaron Carl eve");
  suda_conversation_clear_members (conv);
  g_assert_cmpuint (g_list_model_get_n_items (suda_conversation_get_members (conv)), ==, 0);
}

static void
test_conversation_properties_notify_once (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_PRIVATE, "bob");
  guint notified = 0;

  g_signal_connect (conv, "notify", G_CALLBACK (count_notify), &notified);
  suda_conversation_set_name (conv, "bob");
  suda_conversation_set_topic (conv, NULL);
  suda_conversation_set_joined (conv, FALSE);
  g_assert_cmpuint (notified, ==, 0);
  suda_conversation_set_name (conv, "robert");
  suda_conversation_set_topic (conv, "hello");
  suda_conversation_set_joined (conv, TRUE);
  g_assert_cmpuint (notified, ==, 3);
  g_assert_cmpint (suda_conversation_get_kind (conv), ==, SUDA_CONVERSATION_PRIVATE);
}

static void
test_day_labels (void)
{
  gint64 now = local_time (2026, 11, 21, 15, 0);
  g_autofree char *today = suda_format_day (local_time (2026, 11, 21, 0, 5), now);
  g_autofree char *yesterday = suda_format_day (local_time (2026, 11, 20, 23, 55), now);
  g_autofree char *earlier = suda_format_day (local_time (2026, 11, 2, 12, 0), now);
  g_autofree char *last_year = suda_format_day (local_time (2025, 11, 2, 12, 0), now);

  g_assert_cmpstr (today, ==, "Today");
  g_assert_cmpstr (yesterday, ==, "Yesterday");
  g_assert_nonnull (strstr (earlier, "November 2"));
  g_assert_null (strstr (earlier, "2026"));
  g_assert_nonnull (strstr (last_year, "2025"));
}

static void
test_nick_colours_are_stable (void)
{
  g_autofree char *a1 = suda_nick_color ("alice");
  g_autofree char *a2 = suda_nick_color ("Alice");
  g_autofree char *b = suda_nick_color ("bob");

  g_assert_cmpstr (a1, ==, a2);   /* the same person whatever the case */
  g_assert_cmpstr (a1, !=, b);
  g_assert_cmpuint (strlen (a1), ==, 7);
  g_assert_true (a1[0] == '#');
}

static void
test_links_become_markup (void)
{
  g_autofree char *plain = suda_markup_linkify ("1 < 2 & \"quotes\"");
  g_autofree char *link = suda_markup_linkify ("see https://example.org/a?b=1&c=2, then www.gnome.org.");
  g_autofree char *korean = suda_markup_linkify ("안녕 http://예시.kr 수다");

  g_assert_cmpstr (plain, ==, "1 &lt; 2 &amp; &quot;quotes&quot;");
  g_assert_cmpstr (link, ==,
                   "see <a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;c=2</a>, "
                   "then <a href=\"https://www.gnome.org\">www.gnome.org</a>.");
  g_assert_nonnull (strstr (korean, "<a href=\"http://예시.kr\">"));
}

typedef struct {
  guint changes;
  guint first_position, first_removed, first_added;
  guint last_position, last_removed, last_added;
} Changes;

static void
record_change (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               Changes    *c)
{
  if (c->changes++ == 0)
    {
      c->first_position = position;
      c->first_removed = removed;
      c->first_added = added;
    }
  c->last_position = position;
  c->last_removed = removed;
  c->last_added = added;
}

static void
append_n (SudaConversation *conv,
          guint             n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaMessage) m = suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, 1000, "a", "x");

      suda_conversation_append (conv, m, FALSE);
    }
}

static gboolean
caught_up (gpointer data)
{
  SudaThrottledList *list = data;

  return g_list_model_get_n_items (G_LIST_MODEL (list)) ==
         g_list_model_get_n_items (suda_throttled_list_get_model (list));
}

static void
test_throttled_list_holds_back_floods (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#flood");
  g_autoptr(SudaThrottledList) list = suda_throttled_list_new (G_LIST_MODEL (conv), 50);
  Changes c = { 0 };
  g_autoptr(SudaMessage) first = NULL;

  g_signal_connect (list, "items-changed", G_CALLBACK (record_change), &c);

  /* The first append after a quiet spell goes through at once... */
  append_n (conv, 1);
  g_assert_cmpuint (c.changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);   /* and its date */

  /* ...the flood that follows is held back and passed on in one change. */
  append_n (conv, 500);
  g_assert_cmpuint (c.changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 2));
  g_assert_true (suda_test_wait_until (caught_up, list, 2000));
  g_assert_cmpuint (c.changes, ==, 2);
  g_assert_cmpuint (c.last_position, ==, 2);
  g_assert_cmpuint (c.last_added, ==, 500);
  first = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_cmpstr (suda_message_get_text (first), ==, "x");

  /* Anything but an append goes through at once, held items included. */
  append_n (conv, 10);
  suda_conversation_clear (conv);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpuint (c.last_position, ==, 0);
  g_assert_cmpuint (c.last_removed, ==, 502);
  g_assert_cmpuint (c.last_added, ==, 0);

  /* flush() passes on what is held back right away. */
  suda_test_iterate (60);
  append_n (conv, 1);
  append_n (conv, 3);
  suda_throttled_list_flush (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 5);
}

static SudaMessage *
numbered_message (guint i)
{
  g_autofree char *text = g_strdup_printf ("m%u", i);

  return suda_message_new (SUDA_MESSAGE_KIND_MESSAGE, local_time (2026, 11, 30, 10, 0), "bob", text);
}

static const char *
first_text (SudaConversation *conv)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conv)); i++)
    {
      g_autoptr(SudaMessage) m = g_list_model_get_item (G_LIST_MODEL (conv), i);

      if (suda_message_get_kind (m) != SUDA_MESSAGE_KIND_DATE_SEPARATOR)
        return suda_message_get_text (m);
    }
  return NULL;
}

/* Past the limit the oldest messages go, a tenth at a time, each drop one
 * removal at the front of the model. */
static void
test_history_limit_drops_oldest (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#busy");
  Changes c = { 0 };

  g_assert_cmpuint (suda_conversation_get_max_messages (conv), ==, SUDA_CLIENT_MAX_HISTORY);
  suda_conversation_set_max_messages (conv, 100);
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(SudaMessage) m = numbered_message (i);

      suda_conversation_append (conv, m, TRUE);
    }
  g_assert_cmpuint (suda_conversation_get_n_messages (conv), ==, 100);
  g_assert_cmpstr (first_text (conv), ==, "m0");

  g_signal_connect (conv, "items-changed", G_CALLBACK (record_change), &c);
  {
    g_autoptr(SudaMessage) m = numbered_message (100);

    suda_conversation_append (conv, m, TRUE);
  }
  /* 89 old ones stay with the new one: 90 in all, room for ten more. */
  g_assert_cmpuint (suda_conversation_get_n_messages (conv), ==, 90);
  g_assert_cmpstr (first_text (conv), ==, "m11");
  g_assert_cmpuint (c.changes, ==, 2);   /* the drop, then the append */
  g_assert_cmpuint (suda_conversation_get_unread_count (conv), <=, 90);

  /* A batch larger than the whole limit keeps only its newest. */
  {
    g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < 250; i++)
      g_ptr_array_add (batch, numbered_message (1000 + i));
    suda_conversation_append_many (conv, (SudaMessage **) batch->pdata, batch->len, FALSE);
  }
  g_assert_cmpuint (suda_conversation_get_n_messages (conv), ==, 100);
  g_assert_cmpstr (first_text (conv), ==, "m1150");
}

/* The default limit, as a hostile server would reach it. */
static void
test_history_limit_default (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#flood");

  for (guint i = 0; i <= SUDA_CLIENT_MAX_HISTORY; i++)
    {
      g_autoptr(SudaMessage) m = numbered_message (i);

      suda_conversation_append (conv, m, FALSE);
    }
  g_assert_cmpuint (suda_conversation_get_n_messages (conv), <=, SUDA_CLIENT_MAX_HISTORY);
  g_assert_cmpstr (first_text (conv), !=, "m0");
  g_assert_cmpint (suda_conversation_find (conv, "m10000", -1), >=, 0);
}

/* The throttled view passes a drop at the front on as that drop, so the
 * list view keeps the rows it has. */
static void
test_throttled_list_passes_drops_on (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#busy");
  g_autoptr(SudaThrottledList) list = suda_throttled_list_new (G_LIST_MODEL (conv), 50);
  Changes c = { 0 };
  guint n_before;

  suda_conversation_set_max_messages (conv, 20);
  append_n (conv, 20);
  suda_throttled_list_flush (list);
  n_before = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_signal_connect (list, "items-changed", G_CALLBACK (record_change), &c);
  append_n (conv, 1);
  g_assert_cmpuint (c.changes, >=, 1);
  g_assert_cmpuint (c.first_position, ==, 0);
  g_assert_cmpuint (c.first_added, ==, 0);
  g_assert_cmpuint (c.first_removed, >, 0);
  suda_throttled_list_flush (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==,
                    g_list_model_get_n_items (G_LIST_MODEL (conv)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), <, n_before);
}

static void
test_members_limit (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#huge");

  /* A NAMES reply one name too long... */
  for (guint i = 0; i <= SUDA_CLIENT_MAX_MEMBERS; i++)
    {
      char nick[32];

      g_snprintf (nick, sizeof nick, "n%u", i);
      suda_conversation_add_pending_name (conv, nick, NULL);
    }
  suda_conversation_commit_names (conv);
  g_assert_cmpuint (suda_conversation_get_n_members (conv), ==, SUDA_CLIENT_MAX_MEMBERS);
  g_assert_null (suda_conversation_find_member (conv, "n100000"));
  /* ...and one more JOIN. */
  g_assert_false (suda_conversation_add_member (conv, "late", NULL));
  g_assert_null (suda_conversation_find_member (conv, "late"));
  g_assert_true (suda_conversation_add_member (conv, "n5", NULL));   /* already in */
  suda_conversation_remove_member (conv, "n5");
  g_assert_true (suda_conversation_add_member (conv, "late", NULL));
  g_assert_cmpuint (suda_conversation_get_n_members (conv), ==, SUDA_CLIENT_MAX_MEMBERS);
}

/* One entry per nickname, whatever the server lists or renames. */
static void
test_members_one_entry_per_nick (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#lab");

  suda_conversation_add_pending_name (conv, "bob", "@");
  suda_conversation_add_pending_name (conv, "BOB", NULL);
  suda_conversation_add_pending_name (conv, "carol", NULL);
  suda_conversation_add_pending_name (conv, "bob", "+");
  suda_conversation_commit_names (conv);
  g_assert_cmpuint (suda_conversation_get_n_members (conv), ==, 2);
  g_assert_nonnull (suda_conversation_find_member (conv, "Bob"));

  /* Renamed onto a nickname still listed: the other one is gone. */
  g_assert_true (suda_conversation_rename_member (conv, "bob", "Carol"));
  g_assert_cmpuint (suda_conversation_get_n_members (conv), ==, 1);
  g_assert_cmpstr (suda_member_get_nick (suda_conversation_find_member (conv, "carol")), ==, "Carol");
  g_assert_null (suda_conversation_find_member (conv, "bob"));
  /* A change of case only. */
  g_assert_true (suda_conversation_rename_member (conv, "carol", "CAROL"));
  g_assert_cmpuint (suda_conversation_get_n_members (conv), ==, 1);
  g_assert_cmpstr (suda_member_get_nick (suda_conversation_find_member (conv, "Carol")), ==, "CAROL");
}

/* The guard is the last line of defence: a NULL nick is refused with a
 * critical (the connection never passes one), and nothing changes. */
static void
test_members_refuse_null (void)
{
  g_autoptr(SudaConversation) conv = suda_conversation_new (SUDA_CONVERSATION_ROOM, "#lab");

  suda_conversation_add_member (conv, "bob", NULL);
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*nick != NULL*");
  g_assert_null (suda_conversation_find_member (conv, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*nick != NULL*");
  g_assert_false (suda_conversation_remove_member (conv, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*nick != NULL*");
  g_assert_false (suda_conversation_add_member (conv, NULL, NULL));
  g_test_assert_expected_messages ();
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*nick != NULL*");
  g_assert_false (suda_conversation_rename_member (conv, NULL, "x"));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (suda_conversation_get_n_members (conv), ==, 1);

  /* Nor is a conversation ever without a name. */
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*name != NULL*");
  suda_conversation_set_name (conv, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*name != NULL*");
  suda_conversation_set_name (conv, "");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (suda_conversation_get_name (conv), ==, "#lab");
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*name != NULL*");
  g_assert_null (suda_conversation_new (SUDA_CONVERSATION_ROOM, NULL));
  g_test_assert_expected_messages ();
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *changes)
{
  (*changes)++;
}

/* One session per server: the same host on two ports is two servers. */
static void
test_server_list_keeps_servers_apart (void)
{
  g_autoptr(SudaServerList) list = suda_server_list_new ();
  guint changes = 0;
  SudaClient *first, *second;

  g_signal_connect (list, "items-changed", G_CALLBACK (count_changes), &changes);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == SUDA_TYPE_CLIENT);
  first = suda_server_list_ensure (list, "chat.example.org", 16667);
  second = suda_server_list_ensure (list, "chat.example.org", 16668);
  g_assert_true (first != second);
  g_assert_true (suda_server_list_ensure (list, "chat.example.org", 16667) == first);
  g_assert_true (suda_server_list_find (list, "CHAT.example.org", 16668) == second);
  g_assert_null (suda_server_list_find (list, "chat.example.org", 6667));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpuint (suda_connection_get_port (suda_client_get_connection (second)), ==, 16668);
  g_assert_cmpint (suda_connection_get_state (suda_client_get_connection (second)), ==,
                   SUDA_CONNECTION_DISCONNECTED);

  /* A session made elsewhere (a window's) joins the list once. */
  {
    g_autoptr(SudaClient) other = suda_client_new ();

    suda_server_list_add (list, other);
    suda_server_list_add (list, other);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
    suda_server_list_remove (list, other);
  }
  suda_server_list_remove (list, first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_null (suda_server_list_find (list, "chat.example.org", 16667));
  g_assert_cmpuint (changes, ==, 5);
}

static void
test_application_lists_servers (void)
{
  g_autoptr(SudaApplication) app = suda_application_new ();
  GListModel *servers = suda_application_get_servers (app);

  g_assert_true (g_list_model_get_item_type (servers) == SUDA_TYPE_CLIENT);
  g_assert_cmpuint (g_list_model_get_n_items (servers), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/models/message/properties", test_message_properties);
  g_test_add_func ("/client/models/conversation/date-separators", test_date_separators);
  g_test_add_func ("/client/models/conversation/unread-and-mention", test_unread_and_mention);
  g_test_add_func ("/client/models/conversation/find-searches-backwards", test_find_searches_backwards);
  g_test_add_func ("/client/models/conversation/properties-notify-once", test_conversation_properties_notify_once);
  g_test_add_func ("/client/models/members/operators-first", test_members_operators_first);
  g_test_add_func ("/client/models/throttled-list/holds-back-floods", test_throttled_list_holds_back_floods);
  g_test_add_func ("/client/models/throttled-list/passes-drops-on", test_throttled_list_passes_drops_on);
  g_test_add_func ("/client/models/conversation/history-limit-drops-oldest", test_history_limit_drops_oldest);
  g_test_add_func ("/client/models/conversation/history-limit-default", test_history_limit_default);
  g_test_add_func ("/client/models/members/limit", test_members_limit);
  g_test_add_func ("/client/models/members/one-entry-per-nick", test_members_one_entry_per_nick);
  g_test_add_func ("/client/models/refuse-null-nick-and-name", test_members_refuse_null);
  g_test_add_func ("/client/models/row/day-labels", test_day_labels);
  g_test_add_func ("/client/models/row/nick-colours-are-stable", test_nick_colours_are_stable);
  g_test_add_func ("/client/models/row/links-become-markup", test_links_become_markup);
  g_test_add_func ("/client/models/server-list/keeps-servers-apart", test_server_list_keeps_servers_apart);
  g_test_add_func ("/client/models/server-list/application-lists-servers", test_application_lists_servers);

  return g_test_run ();
}
