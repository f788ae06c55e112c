/* SPDX-License-Identifier: GPL-3.0-or-later */
/* suda-bench: an IRC load generator for one channel.
 *
 * N clients connect to 127.0.0.1, register and join one channel; S of them
 * send R messages a second, each carrying its send time, and every client
 * measures the delivery latency of every message it receives.  --soak
 * instead makes every client create and abandon rooms, flood and reconnect
 * in loops, and reports the server's RSS after a warm-up and at the end.  One thread,
 * one epoll set, non-blocking sockets: the bench has to stay cheaper than the
 * server it measures, so lines are parsed in place and latencies go into a
 * fixed histogram rather than an array. */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/net_tstamp.h>
#include <locale.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>

#define READ_CHUNK      (64 * 1024)
#define CARRY_MIN       1024
#define CARRY_MAX       (16 * 1024)   /* IRCv3 tags may add 8191 bytes to a line */
#define OUT_MAX         (64 * 1024)
#define MAX_EVENTS      512
#define QUIET_US        (300 * 1000)  /* "settled": nothing received for this long */
#define QUIET_LIMIT_US  (30 * G_USEC_PER_SEC)
#define RSS_SAMPLE_US   (100 * 1000)

typedef enum {
  CLIENT_IDLE,         /* not connected yet */
  CLIENT_CONNECTING,
  CLIENT_REGISTERING,  /* NICK/USER sent, waiting for 001 */
  CLIENT_JOINING,      /* JOIN sent, waiting for 366 */
  CLIENT_JOINED,
  CLIENT_DEAD,
} ClientState;

typedef struct {
  int          fd;
  guint32      id;
  ClientState  state;
  guint32      carry_len;
  guint32      carry_cap;
  char        *carry;        /* the incomplete tail of the last read */
  guint32      out_len;
  char        *out;          /* bytes the kernel did not take yet */
  gboolean     want_out;
  gint64       t_connect;
  guint64      seq;
  guint32      generation;   /* reconnects so far: a new nick each time */
  guint32      cycles;       /* soak cycles done */
} BenchClient;

/* Log-linear latency histogram in microseconds: exact below 2048 µs, then 1024
 * sub-buckets per power of two (0.1 % precision) up to about 2^37 µs. */
#define HIST_LINEAR   2048
#define HIST_SUB_BITS 10
#define HIST_SUB      (1 << HIST_SUB_BITS)
#define HIST_POWERS   27
#define HIST_SIZE     (HIST_LINEAR + HIST_POWERS * HIST_SUB)

typedef struct {
  guint64 counts[HIST_SIZE];
  guint64 total;
  guint64 max;
} Histogram;

/* When a read's bytes arrived.  Latency is measured twice: to the kernel's
 * receive timestamp of the newest byte in the read (what the server did, free
 * of the bench's own queueing), and to the moment the bench read it. */
typedef struct {
  gint64 mono;           /* monotonic, for the phases */
  gint64 real_read;      /* CLOCK_REALTIME when recvmsg returned */
  gint64 real_arrival;   /* CLOCK_REALTIME the kernel stamped, or real_read */
} RecvTime;

typedef struct {
  /* options */
  char    *host;
  int      port;
  int      n_clients;
  int      n_senders;
  double   rate;
  double   duration;
  double   warmup;
  double   drain;
  double   join_timeout;
  int      concurrency;
  char    *channel;
  char    *nick_prefix;
  int      pid;
  gboolean idle;
  gboolean machine;
  double   soak;           /* seconds of soak, 0: none */
  double   linger;         /* seconds connected after the report */
  gboolean chat_joining;   /* the first joined chat while the others join */
  int      run_option;     /* --run-id, 0: random */
  int      remote_run;     /* --remote-run: another bench's run, measured apart */

  int          epfd;
  BenchClient *clients;
  struct sockaddr_in addr;
  guint32      run_id;
  char        *read_buf;

  /* join phase */
  int     started;
  int     in_flight;
  int     registered;
  int     joined;
  int     dead;
  gint64  t_phase_start;
  gint64  t_all_registered;
  gint64  t_all_joined;
  gint64  t_join_end;
  gint64  slowest_join_us;
  gint64  slowest_welcome_us;   /* from connect to 001 */
  int     welcomed;
  double  join_cpu_start;
  double  join_cpu_end;
  long    join_rss_peak;
  guint64 bytes_in;
  gint64  t_last_byte;
  char   *first_error;
  guint64 nick_collisions;

  /* measurement window */
  gint64    t_window_start;
  gint64    t_window_end;
  guint64   sent_window;
  guint64   sent_total;
  guint64   delivered_window;
  guint64   delivered_other;
  guint64   out_overflows;
  int       members_at_start;
  guint64   kernel_stamps;
  guint64   reads;
  guint64   refused_window;   /* measured messages the server did not take */
  Histogram hist;        /* to kernel arrival */
  Histogram hist_read;   /* to the bench's read */
  Histogram hist_remote; /* --remote-run's messages: sent through another server */
  guint64   delivered_remote;

  /* soak */
  guint64 soak_cycles;
  guint64 soak_rooms;
  int     reconnects;
} Bench;

static Bench bench;

/* ---- time, histogram ---------------------------------------------------- */

static inline gint64
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Messages carry wall-clock time because the kernel's receive timestamps are
 * wall-clock too. */
static inline gint64
real_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static inline guint
hist_index (guint64 v)
{
  guint e;

  if (v < HIST_LINEAR)
    return (guint) v;
  /* v >= 2^11, so the top set bit is at 11 or above */
  e = (guint) (63 - __builtin_clzll (v)) - HIST_SUB_BITS;
  if (e > HIST_POWERS)
    return HIST_SIZE - 1;
  return HIST_LINEAR + (e - 1) * HIST_SUB + (guint) ((v >> e) - HIST_SUB);
}

static guint64
hist_value (guint idx)
{
  guint e, sub;

  if (idx < HIST_LINEAR)
    return idx;
  e = (idx - HIST_LINEAR) / HIST_SUB + 1;
  sub = (idx - HIST_LINEAR) % HIST_SUB;
  /* report the upper edge of the bucket, so percentiles never flatter */
  return (((guint64) (HIST_SUB + sub + 1)) << e) - 1;
}

static inline void
hist_add (Histogram *h, guint64 v)
{
  h->counts[hist_index (v)]++;
  h->total++;
  if (v > h->max)
    h->max = v;
}

static inline guint64
positive (gint64 v)
{
  return v > 0 ? (guint64) v : 0;
}

static double
hist_percentile_ms (const Histogram *h, double pct)
{
  guint64 rank, seen = 0;

  if (h->total == 0)
    return 0.0;
  rank = (guint64) (pct / 100.0 * (double) h->total);
  if (rank >= h->total)
    rank = h->total - 1;
  for (guint i = 0; i < HIST_SIZE; i++)
    {
      seen += h->counts[i];
      if (seen > rank)
        return MIN (hist_value (i), h->max) / 1000.0;
    }
  return h->max / 1000.0;
}

/* ---- /proc of the server ------------------------------------------------- */

static double
proc_cpu_ticks_seconds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  unsigned long long utime = 0, stime = 0;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1.0;
  /* the command name may hold spaces and parentheses: fields start after the last ')' */
  p = strrchr (text, ')');
  if (p == NULL)
    return -1.0;
  /* after ')' come field 3 (state) ... utime is field 14, stime 15 */
  if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
              &utime, &stime) != 2)
    return -1.0;
  return (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

/* The server's CPU time: the kernel's own clock for the process, exact
 * to the nanosecond and counting every thread (also those gone); /proc's
 * ticks, 10 ms each, only where that clock cannot be read. */
static double
proc_cpu_seconds (int pid)
{
  clockid_t clock;
  struct timespec ts;

  if (clock_getcpuclockid (pid, &clock) == 0 && clock_gettime (clock, &ts) == 0)
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
  return proc_cpu_ticks_seconds (pid);
}

/* The main thread's own time on a CPU, in nanoseconds and not in ticks:
 * in the console it is GTK's, a few milliseconds a second, which ticks
 * would round to nothing or to ten times too much. */
static double
proc_main_thread_cpu_seconds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/schedstat", pid, pid);
  g_autofree char *text = NULL;
  unsigned long long ns = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL) || sscanf (text, "%llu", &ns) != 1)
    return -1.0;
  return (double) ns / 1e9;
}

static long
proc_rss_kib (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  p = strstr (text, "\nVmRSS:");
  if (p == NULL)
    return -1;
  return strtol (p + strlen ("\nVmRSS:"), NULL, 10);
}

/* CPU seconds every process on the box has used: with the server's and the
 * bench's own subtracted, what is left tells how noisy the measurement was. */
static double
box_busy_seconds (void)
{
  g_autofree char *text = NULL;
  unsigned long long v[8] = { 0 };

  if (!g_file_get_contents ("/proc/stat", &text, NULL, NULL))
    return -1.0;
  if (sscanf (text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
              &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
    return -1.0;
  /* user nice system idle iowait irq softirq steal: all but idle and iowait */
  return (double) (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double) sysconf (_SC_CLK_TCK);
}

static double
self_cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
       + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- sockets -------------------------------------------------------------- */

static void
note_error (const char *text)
{
  if (bench.first_error == NULL)
    bench.first_error = g_strdup (text);
}

static void
client_update_events (BenchClient *c)
{
  struct epoll_event ev = { 0 };

  ev.events = EPOLLIN | (c->out_len > 0 || c->state == CLIENT_CONNECTING ? EPOLLOUT : 0);
  ev.data.u32 = c->id;
  epoll_ctl (bench.epfd, EPOLL_CTL_MOD, c->fd, &ev);
  c->want_out = (ev.events & EPOLLOUT) != 0;
}

static void
client_kill (BenchClient *c, const char *why)
{
  if (c->state == CLIENT_DEAD)
    return;
  if (c->state == CLIENT_CONNECTING || c->state == CLIENT_REGISTERING)
    bench.in_flight--;
  if (c->fd >= 0)
    close (c->fd);   /* closing also drops it from the epoll set */
  c->fd = -1;
  c->state = CLIENT_DEAD;
  bench.dead++;
  if (why != NULL)
    note_error (why);
}

static void
client_flush (BenchClient *c)
{
  ssize_t n;

  if (c->out_len == 0)
    return;
  n = send (c->fd, c->out, c->out_len, MSG_NOSIGNAL);
  if (n < 0)
    {
      if (errno != EAGAIN && errno != EINTR)
        client_kill (c, g_strerror (errno));
      return;
    }
  memmove (c->out, c->out + n, c->out_len - (guint32) n);
  c->out_len -= (guint32) n;
  if ((c->out_len > 0) != c->want_out)
    client_update_events (c);
}

/* FALSE when the line could not be sent: the client is dead, or the
 * server has not read what it was sent before (pushback). */
static gboolean
client_send (BenchClient *c, const char *data, gsize len)
{
  if (c->state == CLIENT_DEAD)
    return FALSE;
  if (c->out_len == 0)
    {
      ssize_t n = send (c->fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno != EAGAIN && errno != EINTR)
        {
          client_kill (c, g_strerror (errno));
          return FALSE;
        }
      if (n > 0)
        {
          data += n;
          len -= (gsize) n;
        }
      if (len == 0)
        return TRUE;
    }
  if (c->out_len + len > OUT_MAX)
    {
      /* the server stopped reading us; losing this line is what a real client would see */
      bench.out_overflows++;
      return FALSE;
    }
  if (c->out == NULL)
    c->out = g_malloc (OUT_MAX);
  memcpy (c->out + c->out_len, data, len);
  c->out_len += (guint32) len;
  if (!c->want_out)
    client_update_events (c);
  return TRUE;
}

static void
client_start (BenchClient *c)
{
  struct epoll_event ev = { 0 };
  int one = 1;

  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    {
      c->state = CLIENT_DEAD;
      bench.dead++;
      note_error (g_strerror (errno));
      return;
    }
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  {
    int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;

    setsockopt (c->fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags);
  }
  c->t_connect = now_us ();
  c->state = CLIENT_CONNECTING;
  bench.in_flight++;
  bench.started++;
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u32 = c->id;
  c->want_out = TRUE;
  if (epoll_ctl (bench.epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
    {
      client_kill (c, g_strerror (errno));
      return;
    }
  if (connect (c->fd, (struct sockaddr *) &bench.addr, sizeof bench.addr) < 0
      && errno != EINPROGRESS)
    client_kill (c, g_strerror (errno));
}

static void
client_connected (BenchClient *c)
{
  char line[256];
  int err = 0;
  socklen_t len = sizeof err;
  int n;

  getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0)
    {
      client_kill (c, g_strerror (err));
      return;
    }
  c->state = CLIENT_REGISTERING;
  client_update_events (c);
  /* a reconnecting client takes a new nick: its old one may not be gone yet */
  if (c->generation == 0)
    n = g_snprintf (line, sizeof line, "NICK %s%05u\r\nUSER bench 0 * :suda-bench %u\r\n",
                    bench.nick_prefix, c->id, c->id);
  else
    n = g_snprintf (line, sizeof line, "NICK %s%05u%c\r\nUSER bench 0 * :suda-bench %u\r\n",
                    bench.nick_prefix, c->id, 'a' + c->generation % 26, c->id);
  client_send (c, line, (gsize) n);
}

/* ---- incoming lines -------------------------------------------------------- */

static inline guint64
parse_u64 (const char **pp)
{
  const char *p = *pp;
  guint64 v = 0;

  while (*p == ' ')
    p++;
  while (*p >= '0' && *p <= '9')
    v = v * 10 + (guint64) (*p++ - '0');
  *pp = p;
  return v;
}

static void
on_bench_message (const char *text, const RecvTime *t_recv)
{
  guint64 run, t_sent, measured;

  /* text: "sb RUN SENDER SEQ MEASURED T_US" */
  if (text[0] != 's' || text[1] != 'b' || text[2] != ' ')
    return;
  text += 2;
  run = parse_u64 (&text);
  if (bench.remote_run > 0 && run == (guint64) bench.remote_run)
    {
      /* a cluster: the other bench's senders, on the other server */
      parse_u64 (&text);
      parse_u64 (&text);
      measured = parse_u64 (&text);
      t_sent = parse_u64 (&text);
      if (measured == 1)
        {
          bench.delivered_remote++;
          hist_add (&bench.hist_remote, positive (t_recv->real_arrival - (gint64) t_sent));
        }
      return;
    }
  if (run != bench.run_id)
    {
      bench.delivered_other++;   /* replayed history from an earlier run */
      return;
    }
  parse_u64 (&text);             /* sender */
  parse_u64 (&text);             /* sequence */
  measured = parse_u64 (&text);
  t_sent = parse_u64 (&text);
  if (measured == 1)
    {
      bench.delivered_window++;
      hist_add (&bench.hist, positive (t_recv->real_arrival - (gint64) t_sent));
      hist_add (&bench.hist_read, positive (t_recv->real_read - (gint64) t_sent));
    }
  else
    bench.delivered_other++;
}

static void
on_line (BenchClient *c, char *line, gsize len, const RecvTime *t_recv)
{
  const char *cmd;
  const char *sp;

  if (line[0] == '@')
    {
      /* message tags: skip them, nothing here needs them */
      sp = memchr (line, ' ', len);
      if (sp == NULL)
        return;
      len -= (gsize) (sp + 1 - line);
      line = (char *) sp + 1;
    }

  if (line[0] != ':')
    {
      if (strncmp (line, "PING ", 5) == 0)
        {
          g_autofree char *pong = g_strdup_printf ("PONG %s\r\n", line + 5);

          client_send (c, pong, strlen (pong));
        }
      else if (strncmp (line, "ERROR", 5) == 0)
        note_error (line);
      return;
    }

  sp = memchr (line, ' ', len);
  if (sp == NULL)
    return;
  cmd = sp + 1;

  /* the hot path: a channel message */
  if (memcmp (cmd, "PRIVMSG ", 8) == 0)
    {
      const char *text = strstr (cmd + 8, " :");

      if (text != NULL)
        on_bench_message (text + 2, t_recv);
      return;
    }

  if (memcmp (cmd, "001 ", 4) == 0 && c->state == CLIENT_REGISTERING)
    {
      char join[256];
      int n = g_snprintf (join, sizeof join, "JOIN %s\r\n", bench.channel);

      c->state = CLIENT_JOINING;
      bench.in_flight--;
      bench.registered++;
      bench.welcomed++;
      bench.slowest_welcome_us = MAX (bench.slowest_welcome_us, t_recv->mono - c->t_connect);
      if (bench.registered == bench.n_clients)
        bench.t_all_registered = t_recv->mono;
      client_send (c, join, (gsize) n);
    }
  else if (memcmp (cmd, "366 ", 4) == 0 && c->state == CLIENT_JOINING)
    {
      c->state = CLIENT_JOINED;
      bench.joined++;
      bench.slowest_join_us = MAX (bench.slowest_join_us, t_recv->mono - c->t_connect);
      if (bench.joined == bench.n_clients)
        bench.t_all_joined = t_recv->mono;
    }
  else if (memcmp (cmd, "433 ", 4) == 0)
    {
      bench.nick_collisions++;
      client_kill (c, line);
    }
  else if ((cmd[0] == '4' || cmd[0] == '5') && memcmp (cmd, "422 ", 4) != 0)
    {
      /* an error numeric (too many channels, banned, ...); 422 "no MOTD" is not one */
      if (c->state != CLIENT_JOINED)
        note_error (line);
    }
}

static void
client_read (BenchClient *c)
{
  char *buf = bench.read_buf;
  char *p, *end, *nl;
  union {
    char           buf[CMSG_SPACE (sizeof (struct timespec) * 3)];
    struct cmsghdr align;
  } control;
  struct iovec iov;
  struct msghdr msg = { 0 };
  RecvTime t_recv;
  ssize_t n;

  if (c->carry_len > 0)
    memcpy (buf, c->carry, c->carry_len);
  iov.iov_base = buf + c->carry_len;
  iov.iov_len = READ_CHUNK;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  n = recvmsg (c->fd, &msg, 0);
  if (n <= 0)
    {
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      client_kill (c, n == 0 ? _("server closed the connection") : g_strerror (errno));
      return;
    }
  t_recv.mono = now_us ();
  t_recv.real_read = real_us ();
  t_recv.real_arrival = t_recv.real_read;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR (&msg); cm != NULL; cm = CMSG_NXTHDR (&msg, cm))
    {
      if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPING)
        {
          struct timespec ts[3];

          memcpy (ts, CMSG_DATA (cm), sizeof ts);
          if (ts[0].tv_sec != 0)
            {
              t_recv.real_arrival = (gint64) ts[0].tv_sec * G_USEC_PER_SEC + ts[0].tv_nsec / 1000;
              bench.kernel_stamps++;
            }
        }
    }
  bench.reads++;
  bench.bytes_in += (guint64) n;
  bench.t_last_byte = t_recv.mono;

  p = buf;
  end = buf + c->carry_len + n;
  while (p < end && (nl = memchr (p, '\n', (gsize) (end - p))) != NULL)
    {
      gsize len = (gsize) (nl - p);

      if (len > 0 && p[len - 1] == '\r')
        len--;
      p[len] = '\0';
      if (len > 0)
        on_line (c, p, len, &t_recv);
      if (c->state == CLIENT_DEAD)
        return;
      p = nl + 1;
    }

  c->carry_len = (guint32) (end - p);
  if (c->carry_len > CARRY_MAX)
    {
      note_error (_("a line from the server was too long"));
      c->carry_len = 0;
    }
  else if (c->carry_len > c->carry_cap)
    {
      c->carry_cap = MAX (CARRY_MIN, c->carry_cap * 2);
      while (c->carry_cap < c->carry_len)
        c->carry_cap *= 2;
      c->carry = g_realloc (c->carry, c->carry_cap);
    }
  if (c->carry_len > 0)
    memcpy (c->carry, p, c->carry_len);
}

/* One epoll round: waits at most timeout_us, handles what is ready. */
static void
poll_once (gint64 timeout_us)
{
  static struct epoll_event events[MAX_EVENTS];
  struct timespec ts;
  int n;

  if (timeout_us < 0)
    timeout_us = 0;
  ts.tv_sec = timeout_us / G_USEC_PER_SEC;
  ts.tv_nsec = (timeout_us % G_USEC_PER_SEC) * 1000;
  n = epoll_pwait2 (bench.epfd, events, MAX_EVENTS, &ts, NULL);
  if (n < 0 && errno == ENOSYS)
    n = epoll_wait (bench.epfd, events, MAX_EVENTS, (int) ((timeout_us + 999) / 1000));
  for (int i = 0; i < n; i++)
    {
      BenchClient *c = &bench.clients[events[i].data.u32];

      if (c->state == CLIENT_DEAD)
        continue;
      if (c->state == CLIENT_CONNECTING)
        {
          if (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            client_connected (c);
          continue;
        }
      if (events[i].events & EPOLLOUT)
        client_flush (c);
      if (c->state != CLIENT_DEAD && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        client_read (c);
    }
}

/* Keeps reading until nothing has arrived for QUIET_US, so the join storm
 * (every JOIN is sent to every member) is over before anything is measured. */
static void
wait_quiet (void)
{
  gint64 limit = now_us () + QUIET_LIMIT_US;

  bench.t_last_byte = now_us ();
  while (now_us () < limit && now_us () - bench.t_last_byte < QUIET_US)
    poll_once (QUIET_US / 3);
}

/* ---- phases ----------------------------------------------------------------- */

static void send_bench_message (BenchClient *c);

/* While the others join, the first --senders clients to have joined chat at
 * --rate each (not measured): a storm of joins must not starve them, nor
 * they the joins. */
static void
chat_while_joining (gint64 *next_chat,
                    guint64 *k)
{
  gint64 interval = MAX ((gint64) (G_USEC_PER_SEC / (bench.n_senders * bench.rate)), 1);
  gint64 now = now_us ();
  int burst = 0;

  if (*next_chat == 0)
    *next_chat = now;
  while (*next_chat <= now && burst++ < 1000)
    {
      BenchClient *c = &bench.clients[*k % (guint64) bench.n_senders];

      if (c->state == CLIENT_JOINED)
        send_bench_message (c);
      (*k)++;
      *next_chat += interval;
    }
}

static gboolean
run_join_phase (void)
{
  gint64 deadline, next_sample = 0, next_chat = 0;
  guint64 chat_k = 0;

  bench.t_phase_start = now_us ();
  if (bench.pid > 0)
    bench.join_cpu_start = proc_cpu_seconds (bench.pid);
  deadline = bench.t_phase_start + (gint64) (bench.join_timeout * G_USEC_PER_SEC);
  while (bench.joined + bench.dead < bench.n_clients && now_us () < deadline)
    {
      /* a bounded number of handshakes in flight: a listen backlog that
       * overflows costs a 1 s SYN retransmit and would be measured as latency */
      while (bench.started < bench.n_clients && bench.in_flight < bench.concurrency)
        client_start (&bench.clients[bench.started]);
      if (bench.chat_joining)
        chat_while_joining (&next_chat, &chat_k);
      if (bench.pid > 0 && now_us () >= next_sample)
        {
          bench.join_rss_peak = MAX (bench.join_rss_peak, proc_rss_kib (bench.pid));
          next_sample = now_us () + RSS_SAMPLE_US;
        }
      poll_once (10 * 1000);
    }
  bench.t_join_end = now_us ();
  if (bench.pid > 0)
    bench.join_cpu_end = proc_cpu_seconds (bench.pid);
  return bench.joined == bench.n_clients;
}

static void
send_bench_message (BenchClient *c)
{
  gint64 t = now_us ();
  gboolean measured = t >= bench.t_window_start && t < bench.t_window_end;
  char line[512];
  int n;

  /* the sender decides whether a message is measured, so both ends agree */
  n = g_snprintf (line, sizeof line, "PRIVMSG %s :sb %u %u %" G_GUINT64_FORMAT " %d %" G_GINT64_FORMAT "\r\n",
                  bench.channel, bench.run_id, c->id, c->seq++, measured ? 1 : 0, real_us ());
  /* a line the server did not take (it pushes back) is offered, not sent:
   * it is expected nowhere */
  if (!client_send (c, line, (gsize) n))
    {
      if (measured)
        bench.refused_window++;
      return;
    }
  bench.sent_total++;
  if (measured)
    bench.sent_window++;
}

typedef struct {
  double cpu_start, cpu_end;
  double main_start, main_end;   /* the server's main thread alone */
  double self_start, self_end;
  double box_start, box_end;
  long   rss_peak;
  long   rss_end;
  gint64 t_drained;
} Window;

static void
run_message_phase (Window *w)
{
  gint64 t0 = now_us ();
  gint64 interval = (gint64) (G_USEC_PER_SEC / (bench.n_senders * bench.rate));
  gint64 next_send = t0, next_sample = t0, drain_deadline;
  guint64 k = 0;
  gboolean window_open = FALSE;

  if (interval < 1)
    interval = 1;
  bench.t_window_start = t0 + (gint64) (bench.warmup * G_USEC_PER_SEC);
  bench.t_window_end = bench.t_window_start + (gint64) (bench.duration * G_USEC_PER_SEC);
  drain_deadline = bench.t_window_end + (gint64) (bench.drain * G_USEC_PER_SEC);
  w->rss_peak = -1;

  for (;;)
    {
      gint64 now = now_us ();
      gint64 wake;
      int burst = 0;

      if (!window_open && now >= bench.t_window_start)
        {
          window_open = TRUE;
          bench.members_at_start = bench.n_clients - bench.dead;
          if (bench.pid > 0)
            {
              w->cpu_start = proc_cpu_seconds (bench.pid);
              w->main_start = proc_main_thread_cpu_seconds (bench.pid);
            }
          w->self_start = self_cpu_seconds ();
          w->box_start = box_busy_seconds ();
        }
      if (bench.pid > 0 && now >= next_sample)
        {
          long rss = proc_rss_kib (bench.pid);

          w->rss_peak = MAX (w->rss_peak, rss);
          next_sample = now + RSS_SAMPLE_US;
        }

      /* messages are spread evenly over time and round-robin over senders,
       * so each sender sends exactly --rate a second; a late loop catches up
       * in bounded bursts */
      while (next_send <= now && next_send < bench.t_window_end && burst++ < 1000)
        {
          BenchClient *c = &bench.clients[k % (guint64) bench.n_senders];

          if (c->state == CLIENT_JOINED)
            send_bench_message (c);
          k++;
          next_send = t0 + (gint64) k * interval;
        }

      if (now >= bench.t_window_end)
        {
          guint64 expected = bench.sent_window * (guint64) (bench.members_at_start > 0 ? bench.members_at_start - 1 : 0);

          if (w->t_drained == 0)
            {
              if (bench.pid > 0)
                {
                  w->cpu_end = proc_cpu_seconds (bench.pid);
                  w->main_end = proc_main_thread_cpu_seconds (bench.pid);
                }
              w->self_end = self_cpu_seconds ();
              w->box_end = box_busy_seconds ();
              w->t_drained = -1;
            }
          if (bench.delivered_window >= expected || now >= drain_deadline)
            {
              w->t_drained = now;
              break;
            }
        }

      wake = MIN (next_send, next_sample);
      if (now >= bench.t_window_end)
        wake = MIN (next_sample, drain_deadline);
      poll_once (wake - now);
    }
  if (bench.pid > 0)
    w->rss_end = proc_rss_kib (bench.pid);
}

/* ---- report -------------------------------------------------------------------- */

static void
kv (const char *key, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
kv (const char *key, const char *fmt, ...)
{
  va_list ap;

  if (!bench.machine)
    return;
  printf ("%s=", key);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
}

static char *
fmt_double (double v, int digits)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[16];

  g_snprintf (format, sizeof format, "%%.%df", digits);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, format, v));
}

static void
report_join (void)
{
  double t_reg = bench.t_all_registered ? (bench.t_all_registered - bench.t_phase_start) / 1e6 : -1;
  double t_join = bench.t_all_joined ? (bench.t_all_joined - bench.t_phase_start) / 1e6 : -1;
  g_autofree char *s_reg = fmt_double (t_reg, 3);
  g_autofree char *s_join = fmt_double (t_join, 3);
  g_autofree char *s_slow = fmt_double (bench.slowest_join_us / 1000.0, 1);
  g_autofree char *s_cpu = fmt_double (bench.join_cpu_end - bench.join_cpu_start, 2);

  if (!bench.machine)
    {
      printf (_("clients: %d registered, %d joined %s, %d lost\n"),
              bench.registered, bench.joined, bench.channel, bench.dead);
      if (bench.t_all_joined > 0)
        printf (_("all registered in %.3f s, all joined in %.3f s (slowest client %.1f ms from connect to end of NAMES)\n"),
                t_reg, t_join, bench.slowest_join_us / 1000.0);
      else
        printf (_("%d of %d joined after %.3f s\n"), bench.joined, bench.n_clients,
                (bench.t_join_end - bench.t_phase_start) / 1e6);
      printf (_("received during the join phase: %.1f MiB\n"), bench.bytes_in / 1048576.0);
      printf (_("slowest welcome (connect to 001): %.1f ms; %d never welcomed\n"),
              bench.slowest_welcome_us / 1000.0, bench.n_clients - bench.welcomed);
      if (bench.pid > 0)
        printf (_("server during the join phase: %.2f CPU s, peak RSS %ld KiB\n"),
                bench.join_cpu_end - bench.join_cpu_start, bench.join_rss_peak);
    }
  kv ("clients", "%d", bench.n_clients);
  kv ("registered", "%d", bench.registered);
  kv ("joined", "%d", bench.joined);
  /* absent when not everyone made it: a script must not read -1 as a time */
  if (bench.t_all_registered > 0)
    kv ("register_s", "%s", s_reg);
  if (bench.t_all_joined > 0)
    kv ("join_s", "%s", s_join);
  else
    {
      g_autofree char *s_gave_up = fmt_double ((bench.t_join_end - bench.t_phase_start) / 1e6, 1);

      kv ("join_gave_up_s", "%s", s_gave_up);
    }
  kv ("slowest_join_ms", "%s", s_slow);
  {
    g_autofree char *s_welcome = fmt_double (bench.slowest_welcome_us / 1000.0, 1);

    /* a client still waiting for its 001 when the phase ended was starved */
    kv ("slowest_welcome_ms", "%s", s_welcome);
    kv ("not_welcomed", "%d", bench.n_clients - bench.welcomed);
  }
  kv ("join_bytes", "%" G_GUINT64_FORMAT, bench.bytes_in);
  if (bench.pid > 0)
    {
      kv ("join_server_cpu_s", "%s", s_cpu);
      kv ("join_rss_peak_kib", "%ld", bench.join_rss_peak);
    }
}

static void
report_idle (long rss_base, long rss_joined)
{
  double per_client = bench.joined > 0 ? (double) (rss_joined - rss_base) / bench.joined : 0;
  g_autofree char *s_per = fmt_double (per_client, 2);

  if (rss_base < 0 || rss_joined < 0)
    return;
  if (!bench.machine)
    printf (_("server RSS: %ld KiB before, %ld KiB with %d idle members: %.2f KiB per client\n"),
            rss_base, rss_joined, bench.joined, per_client);
  kv ("rss_base_kib", "%ld", rss_base);
  kv ("rss_joined_kib", "%ld", rss_joined);
  kv ("rss_per_client_kib", "%s", s_per);
}

static void
report_window (const Window *w)
{
  double secs = bench.duration;
  guint64 expected = bench.sent_window * (guint64) MAX (bench.members_at_start - 1, 0);
  guint64 lost = expected > bench.delivered_window ? expected - bench.delivered_window : 0;
  double p50 = hist_percentile_ms (&bench.hist, 50);
  double p90 = hist_percentile_ms (&bench.hist, 90);
  double p99 = hist_percentile_ms (&bench.hist, 99);
  double max = bench.hist.max / 1000.0;
  double r50 = hist_percentile_ms (&bench.hist_read, 50);
  double r99 = hist_percentile_ms (&bench.hist_read, 99);
  double rmax = bench.hist_read.max / 1000.0;
  double server_cpu = w->cpu_end - w->cpu_start;
  double self_cpu = w->self_end - w->self_start;
  double rate = bench.delivered_window / secs;
  double others = (w->box_end - w->box_start) - self_cpu - (bench.pid > 0 ? server_cpu : 0);

  if (!bench.machine)
    {
      printf (_("window: %.1f s after %.1f s warm-up, %d members, %d senders × %g msg/s\n"),
              secs, bench.warmup, bench.members_at_start, bench.n_senders, bench.rate);
      printf (_("messages sent %llu, delivered %llu, expected %llu, lost %llu\n"),
              (unsigned long long) bench.sent_window, (unsigned long long) bench.delivered_window,
              (unsigned long long) expected, (unsigned long long) lost);
      printf (_("deliveries per second: %.0f\n"), rate);
      printf (_("latency to arrival, ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n"), p50, p90, p99, max);
      printf (_("latency to the bench's read, ms: p50 %.3f  p99 %.3f  max %.3f\n"), r50, r99, rmax);
      if (bench.remote_run > 0)
        printf (_("from the other server: %llu delivered, p99 %.3f ms\n"),
                (unsigned long long) bench.delivered_remote, hist_percentile_ms (&bench.hist_remote, 99));
      printf (_("%llu reads, %llu with a kernel receive timestamp\n"),
              (unsigned long long) bench.reads, (unsigned long long) bench.kernel_stamps);
      if (bench.pid > 0)
        printf (_("server: %.2f CPU s in %.1f s (%.1f %% of one core, %.2f µs per delivery), peak RSS %ld KiB\n"),
                server_cpu, secs, 100.0 * server_cpu / secs,
                bench.delivered_window ? server_cpu * 1e6 / bench.delivered_window : 0.0, w->rss_peak);
      printf (_("bench itself: %.1f %% of one core; everything else on the box: %.1f %%\n"),
              100.0 * self_cpu / secs, 100.0 * MAX (others, 0) / secs);
      if (w->t_drained > bench.t_window_end)
        printf (_("last deliveries arrived %.3f s after the window closed\n"),
                (w->t_drained - bench.t_window_end) / 1e6);
      if (bench.out_overflows > 0)
        printf (_("the server pushed back: %llu messages could not be sent (%llu in the window)\n"),
                (unsigned long long) bench.out_overflows, (unsigned long long) bench.refused_window);
    }
  else
    {
      g_autofree char *s_rate = fmt_double (rate, 0);
      g_autofree char *s_p50 = fmt_double (p50, 3);
      g_autofree char *s_p90 = fmt_double (p90, 3);
      g_autofree char *s_p99 = fmt_double (p99, 3);
      g_autofree char *s_p999 = fmt_double (hist_percentile_ms (&bench.hist, 99.9), 3);
      g_autofree char *s_max = fmt_double (max, 3);
      g_autofree char *s_r50 = fmt_double (r50, 3);
      g_autofree char *s_r99 = fmt_double (r99, 3);
      g_autofree char *s_rmax = fmt_double (rmax, 3);
      g_autofree char *s_cpu = fmt_double (server_cpu, 4);
      g_autofree char *s_pct = fmt_double (100.0 * server_cpu / secs, 1);
      g_autofree char *s_self = fmt_double (100.0 * self_cpu / secs, 1);
      g_autofree char *s_others = fmt_double (100.0 * MAX (others, 0) / secs, 1);
      g_autofree char *s_drain = fmt_double (w->t_drained > bench.t_window_end ? (w->t_drained - bench.t_window_end) / 1e6 : 0, 3);

      kv ("members", "%d", bench.members_at_start);
      kv ("sent", "%" G_GUINT64_FORMAT, bench.sent_window);
      kv ("delivered", "%" G_GUINT64_FORMAT, bench.delivered_window);
      kv ("expected", "%" G_GUINT64_FORMAT, expected);
      kv ("lost", "%" G_GUINT64_FORMAT, lost);
      kv ("deliveries_per_s", "%s", s_rate);
      kv ("p50_ms", "%s", s_p50);
      kv ("p90_ms", "%s", s_p90);
      kv ("p99_ms", "%s", s_p99);
      kv ("p999_ms", "%s", s_p999);  /* for tools/run-console-benchmark.sh */
      kv ("max_ms", "%s", s_max);
      kv ("read_p50_ms", "%s", s_r50);
      kv ("read_p99_ms", "%s", s_r99);
      kv ("read_max_ms", "%s", s_rmax);
      if (bench.remote_run > 0)
        {
          g_autofree char *s_remote = fmt_double (hist_percentile_ms (&bench.hist_remote, 99), 3);

          kv ("remote_delivered", "%" G_GUINT64_FORMAT, bench.delivered_remote);
          kv ("remote_p99_ms", "%s", s_remote);
        }
      if (bench.pid > 0)
        {
          kv ("server_cpu_s", "%s", s_cpu);
          kv ("server_cpu_pct", "%s", s_pct);
          kv ("server_rss_peak_kib", "%ld", w->rss_peak);
          if (w->main_start >= 0 && w->main_end >= 0)
            {
              g_autofree char *s_main = fmt_double (w->main_end - w->main_start, 3);

              kv ("server_main_thread_cpu_s", "%s", s_main);
            }
          if (bench.delivered_window > 0)
            {
              g_autofree char *s_per = fmt_double (server_cpu * 1e6 / bench.delivered_window, 2);

              kv ("server_us_per_delivery", "%s", s_per);
            }
        }
      kv ("bench_cpu_pct", "%s", s_self);
      kv ("others_cpu_pct", "%s", s_others);
      kv ("drain_s", "%s", s_drain);
      kv ("send_overflows", "%" G_GUINT64_FORMAT, bench.out_overflows);
      kv ("refused", "%" G_GUINT64_FORMAT, bench.refused_window);
    }
}

/* ---- soak ------------------------------------------------------------------------ */

#define SOAK_ROOMS        20   /* rooms one cycle creates and abandons */
#define SOAK_RECONNECT    10   /* every tenth client reconnects ... */
#define SOAK_RECONNECT_EVERY 5 /* ... every fifth cycle */

typedef struct {
  long   rss_warm;
  long   rss_end;
  long   rss_peak;
  double cpu_start, cpu_end;
} Soak;

/* The client leaves without a word and comes back under a new nick. */
static void
client_reconnect (BenchClient *c)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  c->carry_len = 0;
  c->out_len = 0;
  c->generation++;
  c->state = CLIENT_IDLE;
  bench.reconnects++;
  client_start (c);
}

/* One cycle of one client: SOAK_ROOMS new rooms joined, a message to each,
 * all left with JOIN 0, and a flood of the shared channel; now and then a
 * reconnect instead. */
static void
soak_cycle (BenchClient *c)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (c->state != CLIENT_JOINED)
    return;
  c->cycles++;
  if (c->id % SOAK_RECONNECT == 0 && c->cycles % SOAK_RECONNECT_EVERY == 0)
    {
      client_reconnect (c);
      return;
    }
  g_string_append (out, "JOIN ");
  for (int k = 0; k < SOAK_ROOMS; k++)
    g_string_append_printf (out, "%s#s%u_%u_%u_%d", k ? "," : "", bench.run_id, c->id, c->cycles, k);
  g_string_append (out, "\r\n");
  for (int k = 0; k < SOAK_ROOMS; k++)
    g_string_append_printf (out, "PRIVMSG #s%u_%u_%u_%d :soak %u\r\n", bench.run_id, c->id, c->cycles, k, c->cycles);
  for (int k = 0; k < 5; k++)
    g_string_append_printf (out, "PRIVMSG %s :flood %u %d\r\n", bench.channel, c->cycles, k);
  g_string_append (out, "JOIN 0\r\nJOIN ");
  g_string_append (out, bench.channel);
  g_string_append (out, "\r\n");
  client_send (c, out->str, out->len);
  bench.soak_cycles++;
  bench.soak_rooms += SOAK_ROOMS;
}

/* Every client runs --rate cycles a second for --soak seconds; RSS is taken
 * after a warm-up of a third of that (at most --warmup if longer) and at
 * the end, once what was sent has settled. */
static void
run_soak_phase (Soak *soak)
{
  gint64 t0 = now_us ();
  gint64 interval = (gint64) (G_USEC_PER_SEC / (bench.n_clients * bench.rate));
  gint64 t_end = t0 + (gint64) (bench.soak * G_USEC_PER_SEC);
  gint64 t_warm = t0 + (gint64) (MAX (bench.soak / 3, MIN (bench.warmup, bench.soak / 2)) * G_USEC_PER_SEC);
  gint64 next = t0, next_sample = t0;
  guint64 k = 0;

  if (interval < 1)
    interval = 1;
  soak->rss_warm = -1;
  if (bench.pid > 0)
    soak->cpu_start = proc_cpu_seconds (bench.pid);
  for (;;)
    {
      gint64 now = now_us ();
      int burst = 0;

      if (now >= t_end)
        break;
      if (bench.pid > 0 && now >= next_sample)
        {
          long rss = proc_rss_kib (bench.pid);

          soak->rss_peak = MAX (soak->rss_peak, rss);
          if (soak->rss_warm < 0 && now >= t_warm)
            soak->rss_warm = rss;
          next_sample = now + RSS_SAMPLE_US;
        }
      while (next <= now && burst++ < 1000)
        {
          soak_cycle (&bench.clients[k % (guint64) bench.n_clients]);
          k++;
          next = t0 + (gint64) k * interval;
        }
      poll_once (MIN (next, MIN (next_sample, t_end)) - now);
    }
  wait_quiet ();
  if (bench.pid > 0)
    {
      soak->cpu_end = proc_cpu_seconds (bench.pid);
      soak->rss_end = proc_rss_kib (bench.pid);
    }
}

static void
report_soak (const Soak *soak)
{
  double growth = soak->rss_warm > 0 ? 100.0 * (soak->rss_end - soak->rss_warm) / soak->rss_warm : 0;
  g_autofree char *s_growth = fmt_double (growth, 1);
  g_autofree char *s_cpu = fmt_double (soak->cpu_end - soak->cpu_start, 2);

  if (!bench.machine)
    {
      printf (_("soak: %.0f s, %llu cycles, %llu rooms created and abandoned, %d reconnects\n"),
              bench.soak, (unsigned long long) bench.soak_cycles,
              (unsigned long long) bench.soak_rooms, bench.reconnects);
      if (bench.pid > 0)
        printf (_("server RSS: %ld KiB after the warm-up, %ld KiB at the end (%+.1f %%), peak %ld KiB; %.2f CPU s\n"),
                soak->rss_warm, soak->rss_end, growth, soak->rss_peak, soak->cpu_end - soak->cpu_start);
    }
  kv ("soak_s", "%g", bench.soak);
  kv ("soak_cycles", "%" G_GUINT64_FORMAT, bench.soak_cycles);
  kv ("soak_rooms", "%" G_GUINT64_FORMAT, bench.soak_rooms);
  kv ("reconnects", "%d", bench.reconnects);
  if (bench.pid > 0)
    {
      kv ("rss_warm_kib", "%ld", soak->rss_warm);
      kv ("rss_end_kib", "%ld", soak->rss_end);
      kv ("rss_peak_kib", "%ld", soak->rss_peak);
      kv ("rss_growth_pct", "%s", s_growth);
      kv ("soak_server_cpu_s", "%s", s_cpu);
    }
}

/* ---- main ------------------------------------------------------------------------ */

static void
raise_fd_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
}

static gboolean
check_options (GError **error)
{
  struct rlimit rl;

  if (g_strcmp0 (bench.host, "127.0.0.1") != 0 && g_strcmp0 (bench.host, "localhost") != 0)
    {
      /* a load generator aimed at someone else's server is an attack */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("only 127.0.0.1 can be a target, not “%s”"), bench.host);
      return FALSE;
    }
  if (bench.port <= 0 || bench.port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--port is required"));
      return FALSE;
    }
  if (bench.n_clients < 1 || bench.n_clients > 100000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--clients must be between 1 and 100000"));
      return FALSE;
    }
  if ((!bench.idle || bench.chat_joining) && (bench.n_senders < 1 || bench.n_senders > bench.n_clients))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--senders must be between 1 and --clients"));
      return FALSE;
    }
  if (bench.rate <= 0 || bench.rate > 100000 || bench.duration <= 0 || bench.duration > 3600
      || bench.warmup < 0 || bench.warmup > 600 || bench.drain < 0 || bench.drain > 600
      || bench.join_timeout <= 0 || bench.join_timeout > 3600)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--rate, --duration, --warmup, --drain or --join-timeout is out of range"));
      return FALSE;
    }
  if (bench.soak < 0 || bench.soak > 86400)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--soak must be between 0 and 86400 seconds"));
      return FALSE;
    }
  if (bench.concurrency < 1)
    bench.concurrency = 1;
  if (bench.channel[0] != '#' && bench.channel[0] != '&')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a channel name"), bench.channel);
      return FALSE;
    }
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t) bench.n_clients + 16)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%d clients need more open files than the limit of %lu"),
                   bench.n_clients, (unsigned long) rl.rlim_cur);
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  long rss_base = -1;
  gboolean all_joined;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &bench.host, N_("Server address (only 127.0.0.1)"), "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &bench.port, N_("Server port"), "PORT" },
    { "clients", 'n', 0, G_OPTION_ARG_INT, &bench.n_clients, N_("Channel members to connect (default 100)"), "N" },
    { "senders", 's', 0, G_OPTION_ARG_INT, &bench.n_senders, N_("Members that send (default 10)"), "S" },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &bench.rate, N_("Messages a second per sender (default 10)"), "R" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &bench.duration, N_("Seconds measured (default 10)"), "SECONDS" },
    { "warmup", 'w', 0, G_OPTION_ARG_DOUBLE, &bench.warmup, N_("Seconds of sending before measuring (default 1)"), "SECONDS" },
    { "drain", 0, 0, G_OPTION_ARG_DOUBLE, &bench.drain, N_("Seconds to wait for late deliveries (default 5)"), "SECONDS" },
    { "join-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &bench.join_timeout, N_("Give up joining after this many seconds (default 120)"), "SECONDS" },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &bench.concurrency, N_("Registrations in flight at once (default 8)"), "N" },
    { "channel", 'c', 0, G_OPTION_ARG_STRING, &bench.channel, N_("Channel to join (default #bench)"), "CHANNEL" },
    { "nick-prefix", 0, 0, G_OPTION_ARG_STRING, &bench.nick_prefix, N_("Nicknames are PREFIX plus five digits"), "PREFIX" },
    { "pid", 0, 0, G_OPTION_ARG_INT, &bench.pid, N_("Server process to measure CPU time and RSS of"), "PID" },
    { "idle", 0, 0, G_OPTION_ARG_NONE, &bench.idle, N_("Only register and join, then report time and RSS per client"), NULL },
    { "chat-while-joining", 0, 0, G_OPTION_ARG_NONE, &bench.chat_joining, N_("The first --senders clients chat at --rate while the others join"), NULL },
    { "linger", 0, 0, G_OPTION_ARG_DOUBLE, &bench.linger, N_("Stay connected this many seconds after the report (for a profiler to take its figures first)"), "SECONDS" },
    { "soak", 0, 0, G_OPTION_ARG_DOUBLE, &bench.soak, N_("Create and abandon rooms, flood and reconnect for this many seconds; report RSS (--rate cycles a second per client)"), "SECONDS" },
    { "machine", 0, 0, G_OPTION_ARG_NONE, &bench.machine, N_("Print key=value lines for scripts"), NULL },
    { "run-id", 0, 0, G_OPTION_ARG_INT, &bench.run_option, N_("This run's number (default: random)"), "N" },
    { "remote-run", 0, 0, G_OPTION_ARG_INT, &bench.remote_run, N_("Measure apart the messages of run N, sent through another server of a cluster"), "N" },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  bench.n_clients = 100;
  bench.n_senders = 10;
  bench.rate = 10;
  bench.duration = 10;
  bench.warmup = 1;
  bench.drain = 5;
  bench.join_timeout = 120;
  bench.concurrency = 8;

  context = g_option_context_new (_("— load an IRC server with one busy channel"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (bench.host == NULL)
    bench.host = g_strdup ("127.0.0.1");
  if (bench.channel == NULL)
    bench.channel = g_strdup ("#bench");
  raise_fd_limit ();
  if (!check_options (&error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  bench.run_id = bench.run_option > 0 ? (guint32) bench.run_option : (guint32) g_random_int_range (1, 1000000);
  if (bench.nick_prefix == NULL)
    {
      /* two letters per run, so a second run against a live server does not collide */
      bench.nick_prefix = g_strdup_printf ("b%c%c", 'a' + bench.run_id % 26, 'a' + bench.run_id / 26 % 26);
    }
  bench.addr.sin_family = AF_INET;
  bench.addr.sin_port = htons ((guint16) bench.port);
  bench.addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  bench.read_buf = g_malloc (CARRY_MAX + READ_CHUNK + 1);
  bench.clients = g_new0 (BenchClient, bench.n_clients);
  for (int i = 0; i < bench.n_clients; i++)
    {
      bench.clients[i].id = (guint32) i;
      bench.clients[i].fd = -1;
    }
  bench.epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (bench.epfd < 0)
    {
      g_printerr ("epoll: %s\n", g_strerror (errno));
      return 1;
    }

  if (bench.pid > 0)
    {
      rss_base = proc_rss_kib (bench.pid);
      if (rss_base < 0)
        {
          g_printerr (_("no process %d to measure\n"), bench.pid);
          return 2;
        }
    }

  all_joined = run_join_phase ();
  report_join ();
  if (!all_joined)
    {
      g_printerr (_("not every client joined (%d of %d): %s\n"), bench.joined, bench.n_clients,
                  bench.first_error ? bench.first_error : _("timed out"));
      if (bench.joined < bench.n_senders + 1)
        return 1;
    }

  wait_quiet ();
  if (bench.idle)
    {
      report_idle (rss_base, bench.pid > 0 ? proc_rss_kib (bench.pid) : -1);
    }
  else if (bench.soak > 0)
    {
      Soak soak = { 0 };

      run_soak_phase (&soak);
      report_soak (&soak);
    }
  else
    {
      Window w = { 0 };

      run_message_phase (&w);
      report_window (&w);
    }
  kv ("disconnects", "%d", bench.dead);
  if (bench.first_error != NULL)
    {
      if (!bench.machine)
        printf (_("first error from the server: %s\n"), bench.first_error);
      kv ("first_error", "%s", bench.first_error);
    }

  fflush (stdout);
  if (bench.linger > 0 && bench.linger <= 3600)
    {
      gint64 until = now_us () + (gint64) (bench.linger * G_USEC_PER_SEC);

      while (now_us () < until)
        poll_once (until - now_us ());
    }
  for (int i = 0; i < bench.n_clients; i++)
    {
      if (bench.clients[i].fd >= 0)
        close (bench.clients[i].fd);
      g_free (bench.clients[i].carry);
      g_free (bench.clients[i].out);
    }
  g_free (bench.clients);
  g_free (bench.read_buf);
  g_free (bench.host);
  g_free (bench.channel);
  g_free (bench.nick_prefix);
  g_free (bench.first_error);
  close (bench.epfd);
  return 0;
}
