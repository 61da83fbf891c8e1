/*
 * The one-core ceiling for Aegis benchmarks: a single-threaded, level-triggered
 * epoll HTTP/1.1 server that does nothing but count requests and answer them
 * with canned responses. It parses just enough to find the end of each request
 * head ("\r\n\r\n"; benchmark requests carry no body) and to tell /plaintext
 * from /json, and it answers every complete request already in the read buffer
 * with a single write(), the way a pipelining-aware server should.
 *
 * Usage: epoll_server PORT   (binds 127.0.0.1:PORT)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    kReadCapacity = 8192, /* a request head longer than this closes the connection */
    kMaxEvents = 256,
    kResponseCapacity = 256,
};

struct Conn {
    int fd;
    size_t in_len;   /* bytes of unconsumed request data in `in` */
    char *out;       /* pending response bytes not yet accepted by the kernel */
    size_t out_len;
    size_t out_sent;
    size_t out_cap;
    char in[kReadCapacity];
};

struct Canned {
    char bytes[kResponseCapacity];
    size_t len;
};

static struct Canned g_plaintext;
static struct Canned g_json;
static struct Canned g_not_found;
static time_t g_date_second = -1;

static struct Conn **g_conns;   /* indexed by fd */
static size_t g_conns_cap;

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void build_canned(struct Canned *c, const char *status, const char *type,
                         const char *body, const char *date)
{
    int n = snprintf(c->bytes, sizeof c->bytes,
                     "HTTP/1.1 %s\r\nServer: baseline\r\nDate: %s\r\n"
                     "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
                     status, date, type, strlen(body), body);
    if (n < 0 || (size_t)n >= sizeof c->bytes) {
        fprintf(stderr, "canned response does not fit\n");
        exit(1);
    }
    c->len = (size_t)n;
}

/* Rebuilds the canned responses when the wall-clock second changes. The coarse
 * clock is read from the vDSO, so calling this once per loop turn is cheap. */
static void refresh_date(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec == g_date_second)
        return;
    g_date_second = now.tv_sec;

    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char date[64];
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);

    build_canned(&g_plaintext, "200 OK", "text/plain", "Hello, World!", date);
    build_canned(&g_json, "200 OK", "application/json",
                 "{\"message\":\"Hello, World!\"}", date);
    build_canned(&g_not_found, "404 Not Found", "text/plain", "Not Found", date);
}

static void raise_fd_limit(void)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("bind");
    if (listen(fd, 4096) < 0)
        die("listen");
    return fd;
}

static void set_events(int epfd, int fd, unsigned events)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.fd = fd;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
        die("epoll_ctl(MOD)");
}

static void close_conn(int epfd, struct Conn *c)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    g_conns[c->fd] = NULL;
    free(c->out);
    free(c);
}

static void append_out(struct Conn *c, const struct Canned *r)
{
    if (c->out_len + r->len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + r->len)
            cap *= 2;
        char *grown = realloc(c->out, cap);
        if (!grown)
            die("realloc");
        c->out = grown;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, r->bytes, r->len);
    c->out_len += r->len;
}

static const struct Canned *route(const char *head, size_t len)
{
    static const char kPlain[] = "GET /plaintext ";
    static const char kJson[] = "GET /json ";
    if (len >= sizeof kPlain - 1 && memcmp(head, kPlain, sizeof kPlain - 1) == 0)
        return &g_plaintext;
    if (len >= sizeof kJson - 1 && memcmp(head, kJson, sizeof kJson - 1) == 0)
        return &g_json;
    return &g_not_found;
}

/* Writes as much pending output as the socket takes. Returns 0 when all was
 * written, 1 when the socket is full (EAGAIN), -1 on error. */
static int flush_out(struct Conn *c)
{
    while (c->out_sent < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_sent, c->out_len - c->out_sent);
        if (n > 0) {
            c->out_sent += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return 1;
        } else {
            return -1;
        }
    }
    c->out_len = 0;
    c->out_sent = 0;
    return 0;
}

/* Answers every complete request head in the read buffer and keeps the
 * trailing partial one for the next read. */
static void answer_complete_requests(struct Conn *c)
{
    size_t pos = 0;
    for (;;) {
        const char *start = c->in + pos;
        const char *end = memmem(start, c->in_len - pos, "\r\n\r\n", 4);
        if (!end)
            break;
        size_t head_len = (size_t)(end - start) + 4;
        append_out(c, route(start, head_len));
        pos += head_len;
    }
    if (pos > 0) {
        c->in_len -= pos;
        memmove(c->in, c->in + pos, c->in_len);
    }
}

static void on_readable(int epfd, struct Conn *c)
{
    ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
    if (n == 0) {
        close_conn(epfd, c);
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            close_conn(epfd, c);
        return;
    }
    c->in_len += (size_t)n;
    answer_complete_requests(c);
    if (c->in_len == sizeof c->in) {
        /* A full buffer without a complete head: not a request we serve. */
        close_conn(epfd, c);
        return;
    }
    if (c->out_len == 0)
        return;
    int r = flush_out(c);
    if (r < 0)
        close_conn(epfd, c);
    else if (r > 0)
        set_events(epfd, c->fd, EPOLLOUT); /* stop reading until the client drains */
}

static void on_writable(int epfd, struct Conn *c)
{
    int r = flush_out(c);
    if (r < 0)
        close_conn(epfd, c);
    else if (r == 0)
        set_events(epfd, c->fd, EPOLLIN);
}

static void accept_all(int epfd, int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                perror("accept4");
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

        if ((size_t)fd >= g_conns_cap) {
            size_t cap = g_conns_cap ? g_conns_cap : 1024;
            while (cap <= (size_t)fd)
                cap *= 2;
            struct Conn **grown = realloc(g_conns, cap * sizeof *grown);
            if (!grown)
                die("realloc");
            memset(grown + g_conns_cap, 0, (cap - g_conns_cap) * sizeof *grown);
            g_conns = grown;
            g_conns_cap = cap;
        }
        struct Conn *c = malloc(sizeof *c);
        if (!c)
            die("malloc");
        c->fd = fd;
        c->in_len = 0;
        c->out = NULL;
        c->out_len = 0;
        c->out_sent = 0;
        c->out_cap = 0;
        g_conns[fd] = c;

        struct epoll_event ev;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
            die("epoll_ctl(ADD)");
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    char *end = NULL;
    long port = strtol(argv[1], &end, 10);
    if (!end || *end != '\0' || port <= 0 || port > 65535) {
        fprintf(stderr, "invalid port: %s\n", argv[1]);
        return 2;
    }

    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    refresh_date();

    int lfd = listen_on((int)port);
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1");
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
        die("epoll_ctl(ADD listener)");

    struct epoll_event events[kMaxEvents];
    for (;;) {
        /* Wake at least once a second so an idle server keeps its Date fresh. */
        int n = epoll_wait(epfd, events, kMaxEvents, 1000);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        refresh_date();
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                accept_all(epfd, lfd);
                continue;
            }
            struct Conn *c = g_conns[fd];
            if (!c)
                continue;
            if (events[i].events & (EPOLLERR | EPOLLHUP)) {
                close_conn(epfd, c);
            } else if (events[i].events & EPOLLOUT) {
                on_writable(epfd, c);
            } else if (events[i].events & EPOLLIN) {
                on_readable(epfd, c);
            }
        }
    }
}
