/*
 * plugin_child.c - the child process that runs a student's allocator.
 *
 * Forked by the supervisor (plugin.c), it loads the shared library, checks
 * its descriptor, runs init over the shared region and then answers one
 * request at a time (see plugin_proto.h). Anything the plugin does wrong
 * here - a crash, a loop, exit() - stays in this process: the supervisor
 * sees the socket close or the time run out. It never returns into the
 * code of the process it was forked from: it leaves with _exit, so no
 * atexit handler and no inherited stdio buffer of the parent runs twice.
 */
#include "plugin_proto.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "allocscope/plugin.h"
#include "allocscope/plugin_host.h"

static bool write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* False on end of file or error: the supervisor has gone. */
static bool read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Signals back to their defaults so a crash kills the child (and is seen
 * as a signal); the terminal's keys are for the parent only. */
static void reset_signals(void)
{
    static const int to_default[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP,
                                     SIGSYS, SIGTERM, SIGPIPE, SIGWINCH, SIGCHLD, SIGALRM};
    static const int to_ignore[] = {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP};
    for (size_t i = 0; i < sizeof to_default / sizeof *to_default; i++)
        signal(to_default[i], SIG_DFL);
    for (size_t i = 0; i < sizeof to_ignore / sizeof *to_ignore; i++)
        signal(to_ignore[i], SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* stdout and stderr go to out_fd, unbuffered, stdin is /dev/null, the
 * socket becomes fd 3 and every other inherited descriptor is closed.
 * Returns the socket. */
static int settle_fds(int sock, int out_fd)
{
    /* the parent's unwritten stdio buffers were copied too: drop them, or
     * they would be written a second time */
    __fpurge(stdout);
    __fpurge(stderr);
    /* first out of the way of 0..3, whatever numbers they had */
    int s = fcntl(sock, F_DUPFD, 10), o = fcntl(out_fd, F_DUPFD, 10);
    if (s < 0 || o < 0)
        _exit(0);
    dup2(o, STDOUT_FILENO);
    dup2(o, STDERR_FILENO);
    dup2(s, 3);
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0 && in != STDIN_FILENO) {
        dup2(in, STDIN_FILENO);
        close(in);
    }
    close_range(4, ~0u, 0);
    setvbuf(stdout, NULL, _IONBF, 0);
    return 3;
}

static void hello(int sock, plugin_status st, uint32_t flags, const char *text)
{
    proto_resp r = {.status = (uint32_t)st, .flags = flags};
    snprintf(r.text, sizeof r.text, "%s", text ? text : "");
    write_all(sock, &r, sizeof r);
}

/* The spans describe reports, gathered for one answer. */
typedef struct span_buf {
    proto_span *spans;
    size_t count, cap;
    bool truncated;
} span_buf;

static void collect_span(void *user, size_t offset, size_t len, asp_span_kind kind)
{
    span_buf *b = user;
    if (b->count == PROTO_MAX_SPANS) {
        b->truncated = true;
        return;
    }
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        proto_span *s = realloc(b->spans, cap * sizeof *s);
        if (s == NULL) {
            b->truncated = true;
            return;
        }
        b->spans = s;
        b->cap = cap;
    }
    b->spans[b->count++] = (proto_span){offset, len, (uint32_t)kind, 0};
}

static bool serve_describe(int sock, const asp_descriptor *d, void *ctx)
{
    span_buf b = {0};
    d->describe(ctx, collect_span, &b);
    proto_resp r = {.count = b.count, .flags = b.truncated ? PROTO_TRUNCATED : 0};
    bool ok = write_all(sock, &r, sizeof r) && write_all(sock, b.spans, b.count * sizeof *b.spans);
    free(b.spans);
    return ok;
}

static bool serve(int sock, const asp_descriptor *d, void *ctx, const proto_req *q)
{
    proto_resp r = {0};
    void *mem = (void *)(uintptr_t)q->ptr;
    uint8_t al = (uint8_t)q->align_log2;
    switch ((plugin_op)q->op) {
    case PLUGIN_OP_ALLOC:
        r.result = (uintptr_t)d->alloc(ctx, q->len, al, 0);
        break;
    case PLUGIN_OP_RESIZE:
        r.result = d->resize(ctx, mem, q->len, al, q->new_len, 0);
        break;
    case PLUGIN_OP_REMAP:
        r.result = (uintptr_t)d->remap(ctx, mem, q->len, al, q->new_len, 0);
        break;
    case PLUGIN_OP_FREE:
        d->free(ctx, mem, q->len, al, 0);
        break;
    case PLUGIN_OP_DESCRIBE:
        if (d->describe)
            return serve_describe(sock, d, ctx);
        break;
    case PLUGIN_OP_CHECK: {
        const char *why = d->check ? d->check(ctx) : NULL;
        if (why) {
            r.status = 1;
            snprintf(r.text, sizeof r.text, "%s", why);
        }
        break;
    }
    case PLUGIN_OP_INIT:
        break;
    }
    return write_all(sock, &r, sizeof r);
}

/* Loads and checks the descriptor; NULL after a hello that says why. */
static const asp_descriptor *load(int sock, const char *path)
{
    dlerror();
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *why = dlerror();
        hello(sock, PLUGIN_ERR_NOT_LIBRARY, 0, why ? why : path);
        return NULL;
    }
    const asp_descriptor *d = dlsym(lib, ASP_DESCRIPTOR_SYMBOL);
    if (d == NULL) {
        hello(sock, PLUGIN_ERR_NO_DESCRIPTOR, 0, path);
        return NULL;
    }
    if (d->version != ASP_VERSION) {
        char why[96];
        snprintf(why, sizeof why, "it says version %u, this allocscope speaks version %u",
                 (unsigned)d->version, ASP_VERSION);
        hello(sock, PLUGIN_ERR_VERSION, 0, why);
        return NULL;
    }
    if (!d->name || !d->init || !d->alloc || !d->resize || !d->remap || !d->free) {
        const char *miss = !d->name ? "name" : !d->init ? "init" : !d->alloc ? "alloc"
                         : !d->resize ? "resize" : !d->remap ? "remap" : "free";
        char why[64];
        snprintf(why, sizeof why, "%s is NULL", miss);
        hello(sock, PLUGIN_ERR_INCOMPLETE, 0, why);
        return NULL;
    }
    return d;
}

_Noreturn void plugin_child_main(int sock, int out_fd, const char *path, unsigned char *region,
                                 size_t size, const char *options)
{
    reset_signals();
    /* the child never outlives the process that supervises it */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sock = settle_fds(sock, out_fd);
    const asp_descriptor *d = load(sock, path);
    if (d == NULL)
        _exit(0);
    void *ctx = d->init(region, size, options);
    if (ctx == NULL) {
        hello(sock, PLUGIN_ERR_INIT, 0, "init returned NULL");
        _exit(0);
    }
    uint32_t flags = (d->describe ? PROTO_HAS_DESCRIBE : 0) | (d->check ? PROTO_HAS_CHECK : 0);
    hello(sock, PLUGIN_OK, flags, d->name);
    proto_req q;
    while (read_all(sock, &q, sizeof q))
        if (!serve(sock, d, ctx, &q))
            break;
    _exit(0);
}
