/*
 * plugin.c - the supervisor of an allocator loaded from a shared library
 * (see plugin_host.h; the plugin's side is plugin.h, the child process
 * plugin_child.c).
 *
 * Algorithm. The region is a memfd mapped MAP_SHARED here; the child is
 * forked after the mapping, so it sees the region at the same address and
 * the pointers it returns compare with ours. Each call is: copy the region
 * into a snapshot, send the request, wait (poll, with the time limit) for
 * the answer, then check it against the live blocks we know and the
 * snapshot. A call that crashes or times out kills the child; a new one is
 * forked, init and every answered call are replayed in order (each must
 * give the same answer again), and the snapshot is copied back: the region
 * and the plugin's private state are then those of before the call.
 *
 * Invariants: blocks are sorted by offset, disjoint, inside the region;
 * every block's bytes are marked in `seen`; the log holds every call the
 * plugin answered since init, in order; child > 0 iff a child is running
 * (and then sock is its socket), unless dead.
 *
 * Cost: a call is a round trip, O(region) for the snapshot and O(live
 * bytes) for the corruption check, O(blocks) to insert or remove a block;
 * a crash costs a fork, a dlopen and the replay of the log.
 *
 * Never prints, never exits: only the forked child leaves, with _exit.
 */
#include "allocscope/plugin_host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "allocscope/plugin.h"
#include "plugin_proto.h"

#define OUTPUT_CAP 65536
#define LOAD_TIMEOUT_MIN_MS 5000u
#define MAX_CORRUPTION_REPORTS 4

typedef struct pl_block {
    size_t offset, len;
    uint8_t align_log2;
    uint64_t resized_at;   /* the call that last resized it in place; 0: none */
} pl_block;

typedef struct pl_call {
    proto_req req;
    uint64_t result;
    uint64_t call;         /* its number (calls that crashed are not logged) */
} pl_call;

struct plugin {
    char *path, *options;
    size_t size, map_len;
    unsigned timeout_ms;
    unsigned char *region, *shadow, *seen, *kinds;
    pid_t child;
    int sock, out_r, out_w;
    char name[64];
    bool describes, checks, dead;
    bool discard_output;     /* while replaying: the plugin says it all again */
    unsigned restarts;
    uint64_t calls;
    pl_block *blocks;
    size_t nblocks, capblocks;
    pl_call *log;
    size_t nlog, caplog;
    proto_span *spans;       /* the last describe, valid iff spans_valid */
    size_t nspans, capspans;
    bool spans_valid;
    bool bad_describe_told;  /* a bad describe is reported once, not after every call */
    plugin_problem problems[PLUGIN_MAX_PROBLEMS];
    size_t pb_head, pb_count, pb_dropped;
    char check_text[320];
    char *out;
    size_t out_len;
};

/* ---- names -------------------------------------------------------------- */

static const char *const status_texts[] = {
#define PLUGIN_X(id, text) text,
    PLUGIN_STATUSES(PLUGIN_X)
#undef PLUGIN_X
};

const char *plugin_status_text(plugin_status st)
{
    return (unsigned)st < sizeof status_texts / sizeof *status_texts ? status_texts[st] : "?";
}

static const char *const problem_names[] = {
#define PLUGIN_X(id, name, text) name,
    PLUGIN_PROBLEMS(PLUGIN_X)
#undef PLUGIN_X
};

static const char *const problem_texts[] = {
#define PLUGIN_X(id, name, text) text,
    PLUGIN_PROBLEMS(PLUGIN_X)
#undef PLUGIN_X
};

const char *plugin_problem_name(plugin_problem_kind kind)
{
    return (unsigned)kind < sizeof problem_names / sizeof *problem_names ? problem_names[kind] : "?";
}

const char *plugin_op_name(plugin_op op)
{
    static const char *const names[] = {"init", "alloc", "resize", "remap", "free", "describe", "check"};
    return (unsigned)op < sizeof names / sizeof *names ? names[op] : "?";
}

/* ---- problems ----------------------------------------------------------- */

/* "alloc(24, align 8)", "free(block at 16, 24 bytes, align 8)", ... */
static void describe_call(const plugin_problem *pb, char *buf, size_t n)
{
    size_t align = (size_t)1 << (pb->align_log2 & 15); /* every call passes <= 12 */
    switch (pb->op) {
    case PLUGIN_OP_ALLOC:
        snprintf(buf, n, "alloc(%zu, align %zu)", pb->len, align);
        break;
    case PLUGIN_OP_RESIZE:
    case PLUGIN_OP_REMAP:
        snprintf(buf, n, "%s(block at %zu, %zu -> %zu, align %zu)", plugin_op_name(pb->op), pb->offset,
                 pb->len, pb->new_len, align);
        break;
    case PLUGIN_OP_FREE:
        snprintf(buf, n, "free(block at %zu, %zu bytes, align %zu)", pb->offset, pb->len, align);
        break;
    default:
        snprintf(buf, n, "%s()", plugin_op_name(pb->op));
        break;
    }
}

/* A problem about call `call` with the arguments of q. */
static plugin_problem problem_for(const plugin *p, plugin_problem_kind kind, const proto_req *q)
{
    plugin_problem pb = {.kind = kind, .op = (plugin_op)q->op, .call = p->calls, .len = q->len,
                         .align_log2 = (uint8_t)q->align_log2, .new_len = q->new_len};
    uintptr_t base = (uintptr_t)p->region;
    if (q->ptr >= base && q->ptr - base <= p->size)
        pb.offset = (size_t)(q->ptr - base);
    return pb;
}

/* Queues pb with its sentence: "your allocator <what> in <call>: <detail>". */
static void report(plugin *p, plugin_problem *pb, const char *detail)
{
    char call[96];
    describe_call(pb, call, sizeof call);
    snprintf(pb->text, sizeof pb->text, "your allocator %s in %s%s%s", problem_texts[pb->kind], call,
             detail && *detail ? ": " : "", detail ? detail : "");
    if (p->pb_count == PLUGIN_MAX_PROBLEMS) {
        p->pb_head = (p->pb_head + 1) % PLUGIN_MAX_PROBLEMS;
        p->pb_count--;
        p->pb_dropped++;
    }
    p->problems[(p->pb_head + p->pb_count) % PLUGIN_MAX_PROBLEMS] = *pb;
    p->pb_count++;
}

/* ---- talking to the child ---------------------------------------------- */

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

typedef enum rpc_result { RPC_OK, RPC_CLOSED, RPC_TIMEOUT } rpc_result;

static rpc_result read_until(int fd, void *buf, size_t len, long long deadline)
{
    char *c = buf;
    while (len > 0) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return RPC_TIMEOUT;
        struct pollfd pf = {fd, POLLIN, 0};
        int r = poll(&pf, 1, left > 60000 ? 60000 : (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return RPC_CLOSED;
        if (r == 0)
            continue;
        ssize_t n = read(fd, c, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return RPC_CLOSED;
        c += n;
        len -= (size_t)n;
    }
    return RPC_OK;
}

static bool send_all(int fd, const void *buf, size_t len)
{
    const char *c = buf;
    while (len > 0) {
        ssize_t n = send(fd, c, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        c += n;
        len -= (size_t)n;
    }
    return true;
}

/* Moves what the child printed into p->out (up to OUTPUT_CAP), or drops
 * it while a replay is under way. */
static void drain_output(plugin *p)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(p->out_r, buf, sizeof buf)) > 0) {
        if (p->discard_output)
            continue;
        size_t room = OUTPUT_CAP - p->out_len, take = (size_t)n < room ? (size_t)n : room;
        memcpy(p->out + p->out_len, buf, take);
        p->out_len += take;
    }
}

/* Kills the child (if any) and returns its wait status, or -1. */
static int stop_child(plugin *p)
{
    int status = -1;
    if (p->sock >= 0)
        close(p->sock);
    p->sock = -1;
    if (p->child > 0) {
        kill(p->child, SIGKILL);
        while (waitpid(p->child, &status, 0) < 0 && errno == EINTR)
            ;
    }
    p->child = -1;
    return status;
}

/* After a failed exchange: stops the child; pb and detail say how it died.
 * A child that closed its socket was already dying (or exited), so its
 * status is its own, not our SIGKILL's. */
static void diagnose(plugin *p, rpc_result r, unsigned waited_ms, plugin_problem *pb, char *detail, size_t n)
{
    int status = stop_child(p);
    if (r == RPC_TIMEOUT) {
        pb->kind = PLUGIN_PB_TIMEOUT;
        /* not the limit itself: a replay (undo) waits less, and says the same */
        (void)waited_ms;
        snprintf(detail, n, "no answer, so it was stopped (an endless loop?)");
    } else if (status >= 0 && WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        pb->kind = PLUGIN_PB_CRASHED;
        pb->signal = sig;
        const char *abbrev = sigabbrev_np(sig), *descr = sigdescr_np(sig);
        snprintf(detail, n, "SIG%s (%s)", abbrev ? abbrev : "?", descr ? descr : "unknown signal");
    } else {
        pb->kind = PLUGIN_PB_EXITED;
        pb->signal = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        snprintf(detail, n, "exit status %d", pb->signal);
    }
}

/* One request and its answer (and, for describe, its spans into p->spans).
 * Anything but RPC_OK leaves the child to be stopped by diagnose. */
static rpc_result exchange(plugin *p, const proto_req *q, proto_resp *r)
{
    if (p->sock < 0 || !send_all(p->sock, q, sizeof *q))
        return RPC_CLOSED;
    long long deadline = now_ms() + p->timeout_ms;
    rpc_result res = read_until(p->sock, r, sizeof *r, deadline);
    if (res != RPC_OK || q->op != PLUGIN_OP_DESCRIBE)
        return res;
    if (r->count > PROTO_MAX_SPANS)
        return RPC_CLOSED;
    if (r->count > p->capspans) {
        proto_span *s = realloc(p->spans, r->count * sizeof *s);
        if (s == NULL)
            return RPC_CLOSED;
        p->spans = s;
        p->capspans = r->count;
    }
    p->nspans = 0;
    res = read_until(p->sock, p->spans, r->count * sizeof *p->spans, deadline);
    if (res == RPC_OK)
        p->nspans = r->count;
    return res;
}

/* Forks a fresh child over a zeroed region and waits for its hello. */
static plugin_status start_child(plugin *p, char *detail, size_t n)
{
    memset(p->region, 0, p->size);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(detail, n, "socketpair: %s", strerror(errno));
        return PLUGIN_ERR_SYSTEM;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(detail, n, "fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return PLUGIN_ERR_SYSTEM;
    }
    if (pid == 0) {
        close(sv[0]);
        plugin_child_main(sv[1], p->out_w, p->path, p->region, p->size, p->options);
    }
    close(sv[1]);
    p->child = pid;
    p->sock = sv[0];
    proto_resp hi;
    unsigned wait = p->timeout_ms > LOAD_TIMEOUT_MIN_MS ? p->timeout_ms : LOAD_TIMEOUT_MIN_MS;
    rpc_result r = read_until(p->sock, &hi, sizeof hi, now_ms() + wait);
    drain_output(p);
    if (r != RPC_OK) {
        plugin_problem pb = {0};
        char why[96];
        diagnose(p, r, wait, &pb, why, sizeof why);
        snprintf(detail, n, "%s", why);
        return PLUGIN_ERR_CRASHED;
    }
    hi.text[sizeof hi.text - 1] = '\0';
    if (hi.status != PLUGIN_OK) {
        snprintf(detail, n, "%s", hi.text);
        stop_child(p);
        return hi.status > PLUGIN_ERR_SYSTEM ? PLUGIN_ERR_CRASHED : (plugin_status)hi.status;
    }
    snprintf(p->name, sizeof p->name, "%.63s", hi.text);
    p->describes = hi.flags & PROTO_HAS_DESCRIBE;
    p->checks = hi.flags & PROTO_HAS_CHECK;
    return PLUGIN_OK;
}

static void mark_dead(plugin *p, const proto_req *q, const char *why)
{
    stop_child(p);
    p->dead = true;
    plugin_problem pb = problem_for(p, PLUGIN_PB_DEAD, q);
    char d[200];
    snprintf(d, sizeof d, "%.150s; load it again", why);
    report(p, &pb, d);
}

/* An answer as a student reads it: "offset 16", "NULL", "true". */
static void answer_text(const plugin *p, const proto_req *q, uint64_t result, char *buf, size_t n)
{
    uintptr_t base = (uintptr_t)p->region;
    if (q->op == PLUGIN_OP_RESIZE)
        snprintf(buf, n, "%s", result ? "true" : "false");
    else if (result == 0)
        snprintf(buf, n, "NULL");
    else if (result >= base && result - base <= p->size)
        snprintf(buf, n, "offset %llu", (unsigned long long)(result - base));
    else
        snprintf(buf, n, "%#llx", (unsigned long long)result);
}

/* Init has run in a fresh child: every logged call again, each of which
 * must answer as it did. Marks the plugin dead if one does not. */
static void replay(plugin *p, const proto_req *failed)
{
    char why[200];
    for (size_t i = 0; i < p->nlog; i++) {
        proto_resp r;
        const pl_call *c = &p->log[i];
        if (exchange(p, &c->req, &r) != RPC_OK) {
            snprintf(why, sizeof why, "replaying call %llu failed", (unsigned long long)c->call);
            mark_dead(p, failed, why);
            return;
        }
        if (r.result != c->result) {
            plugin_problem pb = problem_for(p, PLUGIN_PB_REPLAY, &c->req);
            pb.call = c->call;
            char was[40], now[40];
            answer_text(p, &c->req, c->result, was, sizeof was);
            answer_text(p, &c->req, r.result, now, sizeof now);
            snprintf(why, sizeof why, "it answered %s the first time and %s when replayed", was, now);
            report(p, &pb, why);
            mark_dead(p, failed, "its state cannot be rebuilt");
            return;
        }
    }
}

/* A new child with the state of the log, and the region of the snapshot.
 * Marks the plugin dead if that cannot be done. */
static void recover(plugin *p, const proto_req *failed)
{
    char why[200];
    p->restarts++;
    p->discard_output = true;
    plugin_status st = start_child(p, why, sizeof why);
    if (st == PLUGIN_OK)
        replay(p, failed);
    else
        mark_dead(p, failed, why);
    drain_output(p);
    p->discard_output = false;
    memcpy(p->region, p->shadow, p->size); /* dead or not: the blocks keep their bytes */
    p->spans_valid = false;
}

/* The supervised call: snapshot, exchange, and on a crash or a timeout a
 * reported problem and a restored state. True iff the plugin answered. */
static bool call(plugin *p, const proto_req *q, proto_resp *r)
{
    if (p->dead)
        return false;
    memcpy(p->shadow, p->region, p->size);
    if (q->op >= PLUGIN_OP_ALLOC && q->op <= PLUGIN_OP_FREE)
        p->calls++;
    rpc_result res = exchange(p, q, r);
    drain_output(p);
    if (res == RPC_OK)
        return true;
    plugin_problem pb = problem_for(p, PLUGIN_PB_CRASHED, q);
    char detail[96];
    diagnose(p, res, p->timeout_ms, &pb, detail, sizeof detail);
    report(p, &pb, detail);
    recover(p, q);
    return false;
}

/* Appends an answered state-changing call; false (plugin marked dead) if
 * memory runs out, since the state could no longer be rebuilt. */
static bool log_call(plugin *p, const proto_req *q, uint64_t result)
{
    if (p->nlog == p->caplog) {
        size_t cap = p->caplog ? p->caplog * 2 : 64;
        pl_call *l = realloc(p->log, cap * sizeof *l);
        if (l == NULL) {
            mark_dead(p, q, "out of memory for the call log");
            return false;
        }
        p->log = l;
        p->caplog = cap;
    }
    p->log[p->nlog++] = (pl_call){*q, result, p->calls};
    p->spans_valid = false;
    return true;
}

/* ---- the blocks we know -------------------------------------------------- */

/* Index of the first block whose offset is >= off. */
static size_t lower_bound(const plugin *p, size_t off)
{
    size_t lo = 0, hi = p->nblocks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->blocks[mid].offset < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The live block that starts at ptr, or -1. */
static long find_block(const plugin *p, uint64_t ptr)
{
    uintptr_t base = (uintptr_t)p->region;
    if (ptr < base || ptr - base >= p->size)
        return -1;
    size_t off = (size_t)(ptr - base), i = lower_bound(p, off);
    return i < p->nblocks && p->blocks[i].offset == off ? (long)i : -1;
}

/* A live block other than skip that overlaps [off, off + len), or -1. */
static long overlapping(const plugin *p, size_t off, size_t len, long skip)
{
    size_t i = lower_bound(p, off);
    for (size_t j = i > 0 ? i - 1 : 0; j < p->nblocks && p->blocks[j].offset < off + len; j++)
        if ((long)j != skip && p->blocks[j].offset + p->blocks[j].len > off)
            return (long)j;
    return -1;
}

/* Keeps the blocks sorted; false if memory runs out (b not recorded). */
static bool insert_block(plugin *p, pl_block b)
{
    if (p->nblocks == p->capblocks) {
        size_t cap = p->capblocks ? p->capblocks * 2 : 64;
        pl_block *n = realloc(p->blocks, cap * sizeof *n);
        if (n == NULL)
            return false;
        p->blocks = n;
        p->capblocks = cap;
    }
    size_t i = lower_bound(p, b.offset);
    memmove(p->blocks + i + 1, p->blocks + i, (p->nblocks - i) * sizeof *p->blocks);
    p->blocks[i] = b;
    p->nblocks++;
    return true;
}

static void remove_block(plugin *p, size_t i)
{
    memmove(p->blocks + i, p->blocks + i + 1, (p->nblocks - i - 1) * sizeof *p->blocks);
    p->nblocks--;
}

static void mark_seen(plugin *p, size_t off, size_t len)
{
    for (size_t i = off; i < off + len; i++)
        p->seen[i >> 3] |= (unsigned char)(1u << (i & 7));
}

static bool was_seen(const plugin *p, size_t i) { return p->seen[i >> 3] >> (i & 7) & 1; }

/* ---- the checks ----------------------------------------------------------- */

/* The plugin's spans are fresh (asking it if need be); false if it has no
 * describe or the call failed. Spans outside the region are dropped and
 * reported once. */
static bool fresh_spans(plugin *p)
{
    if (!p->describes || p->dead)
        return false;
    if (p->spans_valid)
        return true;
    proto_req q = {.op = PLUGIN_OP_DESCRIBE};
    proto_resp r;
    if (!call(p, &q, &r))
        return false;
    size_t kept = 0;
    bool bad = false;
    for (size_t i = 0; i < p->nspans; i++) {
        proto_span s = p->spans[i];
        bool in = s.offset <= p->size && s.len <= p->size - s.offset;
        if (!in || s.kind < ASP_META_HEADER || s.kind > ASP_OFFSET) {
            if (!bad && !p->bad_describe_told) {
                p->bad_describe_told = true;
                plugin_problem pb = problem_for(p, PLUGIN_PB_BAD_DESCRIBE, &q);
                char d[120];
                snprintf(d, sizeof d, "span [%llu, +%llu) of kind %u in a region of %zu bytes",
                         (unsigned long long)s.offset, (unsigned long long)s.len, s.kind, p->size);
                report(p, &pb, d);
            }
            bad = true;
            continue;
        }
        p->spans[kept++] = s;
    }
    p->nspans = kept;
    p->spans_valid = true;
    return true;
}

/* The first metadata span that overlaps [off, off + len), or -1. */
static long meta_overlap(const plugin *p, size_t off, size_t len)
{
    for (size_t i = 0; i < p->nspans; i++) {
        const proto_span *s = &p->spans[i];
        bool meta = s->kind == ASP_META_HEADER || s->kind == ASP_META_LINK || s->kind == ASP_META_OTHER;
        if (meta && s->len > 0 && s->offset < off + len && off < s->offset + s->len)
            return (long)i;
    }
    return -1;
}

/* Is the block [ptr, ptr + len) the plugin handed out inside the region,
 * aligned and clear of the live blocks (but skip, the one resized or
 * remapped)? Reports the first broken promise and returns false if not.
 * Asks the plugin nothing (the snapshot stays the one of the call). */
static bool placed_ok(plugin *p, plugin_problem *pb, uint64_t ptr, size_t len, uint8_t align_log2,
                      long skip)
{
    uintptr_t base = (uintptr_t)p->region;
    char d[200];
    pb->has_result = true;
    pb->result_offset = (size_t)(ptr - base);
    if (ptr < base || ptr - base > p->size || len > p->size - (ptr - base)) {
        pb->kind = PLUGIN_PB_OUTSIDE;
        long long rel = (long long)(ptr - base);
        snprintf(d, sizeof d, "[%lld, %lld + %zu) is not inside the region [0, %zu)", rel, rel, len, p->size);
        report(p, pb, d);
        return false;
    }
    size_t off = (size_t)(ptr - base), align = (size_t)1 << align_log2;
    if (off % align != 0) {
        pb->kind = PLUGIN_PB_MISALIGNED;
        snprintf(d, sizeof d, "offset %zu is not a multiple of %zu", off, align);
        report(p, pb, d);
        return false;
    }
    long o = overlapping(p, off, len, skip);
    if (o >= 0) {
        const pl_block *b = &p->blocks[o];
        pb->kind = PLUGIN_PB_OVERLAP;
        pb->has_other = true;
        pb->other_offset = b->offset;
        pb->other_len = b->len;
        pb->other_resized_at = b->resized_at;
        char how[64] = "";
        if (b->resized_at)
            snprintf(how, sizeof how, ", as resized in place by call %llu", (unsigned long long)b->resized_at);
        snprintf(d, sizeof d, "[%zu, %zu) overlaps the live block [%zu, %zu)%s", off, off + len, b->offset,
                 b->offset + b->len, how);
        report(p, pb, d);
        return false;
    }
    return true;
}

/* Is [off, off + len) clear of the metadata the plugin describes? Asks it
 * (a describe call) if its spans are stale; true if it has no describe. */
static bool meta_ok(plugin *p, plugin_problem *pb, size_t off, size_t len)
{
    if (!fresh_spans(p))
        return true;
    long m = meta_overlap(p, off, len);
    if (m < 0)
        return true;
    const proto_span *s = &p->spans[m];
    char d[160];
    pb->kind = PLUGIN_PB_IN_METADATA;
    snprintf(d, sizeof d, "[%zu, %zu) overlaps its metadata [%llu, %llu)", off, off + len,
             (unsigned long long)s->offset, (unsigned long long)(s->offset + s->len));
    report(p, pb, d);
    return false;
}

/* Reports every live block (but skip) whose bytes differ from the snapshot. */
static void check_untouched(plugin *p, const plugin_problem *base_pb, long skip)
{
    unsigned reported = 0;
    for (size_t i = 0; i < p->nblocks && reported < MAX_CORRUPTION_REPORTS; i++) {
        const pl_block *b = &p->blocks[i];
        if ((long)i == skip || memcmp(p->region + b->offset, p->shadow + b->offset, b->len) == 0)
            continue;
        size_t changed = 0, first = SIZE_MAX;
        for (size_t k = 0; k < b->len; k++)
            if (p->region[b->offset + k] != p->shadow[b->offset + k]) {
                changed++;
                if (first == SIZE_MAX)
                    first = b->offset + k;
            }
        plugin_problem pb = *base_pb;
        pb.kind = PLUGIN_PB_CORRUPTED;
        pb.has_other = true;
        pb.other_offset = b->offset;
        pb.other_len = b->len;
        pb.other_resized_at = b->resized_at;
        char d[160];
        snprintf(d, sizeof d, "%zu of the %zu bytes of the live block [%zu, %zu) changed, from offset %zu",
                 changed, b->len, b->offset, b->offset + b->len, first);
        report(p, &pb, d);
        reported++;
    }
}

/* The first n bytes at `to` must be those at `from` in the snapshot. */
static void check_kept(plugin *p, const plugin_problem *base_pb, size_t to, size_t from, size_t n)
{
    if (memcmp(p->region + to, p->shadow + from, n) == 0)
        return;
    size_t changed = 0;
    for (size_t k = 0; k < n; k++)
        changed += p->region[to + k] != p->shadow[from + k];
    plugin_problem pb = *base_pb;
    pb.kind = PLUGIN_PB_LOST_CONTENTS;
    char d[120];
    snprintf(d, sizeof d, "%zu of the %zu bytes it had to keep differ", changed, n);
    report(p, &pb, d);
}

/* ---- the vtable ---------------------------------------------------------- */

static void *pl_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ra;
    plugin *p = ctx;
    if (len == 0 || align_log2 > AS_MAX_ALIGN_LOG2 || len > p->size)
        return NULL;
    proto_req q = {.op = PLUGIN_OP_ALLOC, .align_log2 = align_log2, .len = len};
    proto_resp r;
    if (!call(p, &q, &r) || !log_call(p, &q, r.result))
        return NULL;
    plugin_problem pb = problem_for(p, PLUGIN_PB_CORRUPTED, &q);
    check_untouched(p, &pb, -1);
    if (r.result == 0 || !placed_ok(p, &pb, r.result, len, align_log2, -1))
        return NULL;
    size_t off = (size_t)(r.result - (uintptr_t)p->region);
    if (!meta_ok(p, &pb, off, len) || !insert_block(p, (pl_block){off, len, align_log2, 0}))
        return NULL;
    mark_seen(p, off, len);
    return p->region + off;
}

/* resize and remap in place: the block at index i now has new_len bytes,
 * if that is acceptable. */
static bool grown_in_place(plugin *p, plugin_problem *pb, long i, uint64_t ptr, size_t len, size_t new_len)
{
    check_untouched(p, pb, i);
    if (i < 0)
        return false;
    size_t off = p->blocks[i].offset;
    check_kept(p, pb, off, off, len < new_len ? len : new_len);
    if (!placed_ok(p, pb, ptr, new_len, 0, i) || !meta_ok(p, pb, off, new_len))
        return false;
    p->blocks[i].len = new_len;
    p->blocks[i].resized_at = pb->call;
    mark_seen(p, off, new_len);
    return true;
}

static bool pl_resize(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    (void)ra;
    plugin *p = ctx;
    if (new_len == 0 || new_len > p->size || align_log2 > AS_MAX_ALIGN_LOG2)
        return false;
    long i = find_block(p, (uintptr_t)mem);
    proto_req q = {.op = PLUGIN_OP_RESIZE, .align_log2 = align_log2, .ptr = (uintptr_t)mem, .len = len,
                   .new_len = new_len};
    proto_resp r;
    if (!call(p, &q, &r) || !log_call(p, &q, r.result))
        return false;
    plugin_problem pb = problem_for(p, PLUGIN_PB_CORRUPTED, &q);
    if (r.result == 0) {
        check_untouched(p, &pb, -1);
        return false;
    }
    return grown_in_place(p, &pb, i, q.ptr, len, new_len);
}

static void *pl_remap(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    (void)ra;
    plugin *p = ctx;
    if (new_len == 0 || new_len > p->size || align_log2 > AS_MAX_ALIGN_LOG2)
        return NULL;
    long i = find_block(p, (uintptr_t)mem);
    proto_req q = {.op = PLUGIN_OP_REMAP, .align_log2 = align_log2, .ptr = (uintptr_t)mem, .len = len,
                   .new_len = new_len};
    proto_resp r;
    if (!call(p, &q, &r) || !log_call(p, &q, r.result))
        return NULL;
    plugin_problem pb = problem_for(p, PLUGIN_PB_CORRUPTED, &q);
    if (r.result == 0) {
        check_untouched(p, &pb, -1);
        return NULL;
    }
    if (r.result == q.ptr)
        return grown_in_place(p, &pb, i, q.ptr, len, new_len) ? mem : NULL;
    check_untouched(p, &pb, i);
    if (i < 0 || !placed_ok(p, &pb, r.result, new_len, align_log2, i))
        return NULL;
    size_t to = (size_t)(r.result - (uintptr_t)p->region);
    check_kept(p, &pb, to, p->blocks[i].offset, len < new_len ? len : new_len);
    if (!meta_ok(p, &pb, to, new_len))
        return NULL;
    remove_block(p, (size_t)i);
    if (!insert_block(p, (pl_block){to, new_len, align_log2, 0}))
        return NULL;
    mark_seen(p, to, new_len);
    return p->region + to;
}

static void pl_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ra;
    plugin *p = ctx;
    if (align_log2 > AS_MAX_ALIGN_LOG2)
        return;
    long i = find_block(p, (uintptr_t)mem);
    proto_req q = {.op = PLUGIN_OP_FREE, .align_log2 = align_log2, .ptr = (uintptr_t)mem, .len = len};
    proto_resp r;
    if (!call(p, &q, &r) || !log_call(p, &q, 0))
        return;
    plugin_problem pb = problem_for(p, PLUGIN_PB_CORRUPTED, &q);
    check_untouched(p, &pb, i);
    if (i >= 0)
        remove_block(p, (size_t)i);
}

static const as_vtable plugin_vtable = {pl_alloc, pl_resize, pl_remap, pl_free};

/* ---- loading -------------------------------------------------------------- */

static void set_detail(char *detail, size_t n, const char *text)
{
    if (detail && n)
        snprintf(detail, n, "%s", text);
}

/* Checks what can be checked before a process is started. */
static plugin_status precheck(const plugin_config *cfg, char *detail, size_t n)
{
    if (cfg == NULL || cfg->path == NULL || !*cfg->path) {
        set_detail(detail, n, "no path given");
        return PLUGIN_ERR_NO_FILE;
    }
    if (cfg->size == 0 || cfg->size > PLUGIN_MAX_SIZE) {
        set_detail(detail, n, "size out of range");
        return PLUGIN_ERR_SIZE;
    }
    struct stat st;
    if (stat(cfg->path, &st) != 0) {
        set_detail(detail, n, cfg->path);
        return PLUGIN_ERR_NO_FILE;
    }
    if (!S_ISREG(st.st_mode)) {
        if (detail && n)
            snprintf(detail, n, "%s is not a regular file", cfg->path);
        return PLUGIN_ERR_NOT_LIBRARY;
    }
    return PLUGIN_OK;
}

/* The struct, the shared region and its companions; NULL if memory fails. */
static plugin *plugin_new(const plugin_config *cfg)
{
    plugin *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->child = -1;
    p->sock = p->out_r = p->out_w = -1;
    p->region = MAP_FAILED;
    p->size = cfg->size;
    p->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : PLUGIN_DEFAULT_TIMEOUT_MS;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    p->map_len = (cfg->size + page - 1) / page * page;
    p->path = realpath(cfg->path, NULL); /* with a slash: dlopen must not search */
    p->options = strdup(cfg->options ? cfg->options : "");
    p->shadow = malloc(p->size);
    p->kinds = malloc(p->size);
    p->seen = calloc(p->size / 8 + 1, 1);
    p->out = malloc(OUTPUT_CAP);
    int fds[2] = {-1, -1};
    int memfd = memfd_create("allocscope-plugin", MFD_CLOEXEC);
    if (memfd >= 0 && ftruncate(memfd, (off_t)p->map_len) == 0)
        p->region = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (memfd >= 0)
        close(memfd);
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
        p->out_r = fds[0];
        p->out_w = fds[1];
    }
    if (!p->path || !p->options || !p->shadow || !p->kinds || !p->seen || !p->out || p->region == MAP_FAILED ||
        p->out_r < 0) {
        plugin_destroy(p);
        return NULL;
    }
    return p;
}

plugin *plugin_load(const plugin_config *cfg, plugin_status *status, char *detail, size_t detail_len)
{
    plugin_status st_local;
    if (status == NULL)
        status = &st_local;
    if (detail && detail_len)
        detail[0] = '\0';
    *status = precheck(cfg, detail, detail_len);
    if (*status != PLUGIN_OK)
        return NULL;
    plugin *p = plugin_new(cfg);
    if (p == NULL) {
        set_detail(detail, detail_len, "out of memory or shared memory");
        *status = PLUGIN_ERR_SYSTEM;
        return NULL;
    }
    char why[200];
    *status = start_child(p, why, sizeof why);
    if (*status != PLUGIN_OK) {
        set_detail(detail, detail_len, why);
        plugin_destroy(p);
        return NULL;
    }
    return p;
}

void plugin_destroy(plugin *p)
{
    if (p == NULL)
        return;
    stop_child(p);
    if (p->region != MAP_FAILED)
        munmap(p->region, p->map_len);
    if (p->out_r >= 0)
        close(p->out_r);
    if (p->out_w >= 0)
        close(p->out_w);
    free(p->path);
    free(p->options);
    free(p->shadow);
    free(p->kinds);
    free(p->seen);
    free(p->out);
    free(p->blocks);
    free(p->log);
    free(p->spans);
    free(p);
}

/* ---- queries ------------------------------------------------------------- */

as_allocator plugin_allocator(plugin *p) { return (as_allocator){p, &plugin_vtable}; }
as_instance plugin_instance(plugin *p) { return (as_instance){plugin_allocator(p), &plugin_probe}; }
const char *plugin_name(const plugin *p) { return p->name; }
const unsigned char *plugin_region(const plugin *p) { return p->region; }
size_t plugin_size(const plugin *p) { return p->size; }
bool plugin_describes(const plugin *p) { return p->describes; }
size_t plugin_live_blocks(const plugin *p) { return p->nblocks; }
bool plugin_was_handed_out(const plugin *p, size_t offset) { return offset < p->size && was_seen(p, offset); }
uint64_t plugin_calls(const plugin *p) { return p->calls; }
unsigned plugin_restarts(const plugin *p) { return p->restarts; }
bool plugin_is_dead(const plugin *p) { return p->dead; }
void plugin_set_timeout(plugin *p, unsigned timeout_ms)
{
    p->timeout_ms = timeout_ms ? timeout_ms : PLUGIN_DEFAULT_TIMEOUT_MS;
}
unsigned plugin_timeout(const plugin *p) { return p->timeout_ms; }
size_t plugin_problem_count(const plugin *p) { return p->pb_count; }
size_t plugin_problems_dropped(const plugin *p) { return p->pb_dropped; }

bool plugin_take_problem(plugin *p, plugin_problem *out)
{
    if (p->pb_count == 0)
        return false;
    *out = p->problems[p->pb_head];
    p->pb_head = (p->pb_head + 1) % PLUGIN_MAX_PROBLEMS;
    p->pb_count--;
    return true;
}

size_t plugin_take_output(plugin *p, char *buf, size_t len)
{
    if (len == 0)
        return 0;
    drain_output(p);
    size_t n = p->out_len < len - 1 ? p->out_len : len - 1;
    memcpy(buf, p->out, n);
    buf[n] = '\0';
    memmove(p->out, p->out + n, p->out_len - n);
    p->out_len -= n;
    return n;
}

/* ---- the probe ------------------------------------------------------------ */

/* kinds[] codes: the as_span_kind in the low nibble, as_meta_kind above.
 * Bytes a block once held are freed; the others are what the plugin's
 * describe says, unused where it says nothing. Without a describe (or
 * when it failed) nobody told us what they are, free space or the
 * plugin's own bookkeeping: they are unknown. */
static void fill_kinds(plugin *p)
{
    bool described = fresh_spans(p);
    unsigned never = described ? AS_SPAN_UNUSED : AS_SPAN_UNKNOWN;
    for (size_t i = 0; i < p->size; i++)
        p->kinds[i] = (unsigned char)(was_seen(p, i) ? AS_SPAN_FREED : never);
    if (!described)
        return;
    for (size_t i = 0; i < p->nspans; i++) {
        const proto_span *s = &p->spans[i];
        unsigned code;
        switch (s->kind) {
        case ASP_META_HEADER: code = AS_SPAN_META | AS_META_HEADER << 4; break;
        case ASP_META_LINK: code = AS_SPAN_META | AS_META_LINK << 4; break;
        case ASP_META_OTHER: code = AS_SPAN_META | AS_META_CHUNK << 4; break;
        case ASP_FREE: code = AS_SPAN_FREED; break;
        case ASP_PADDING: code = AS_SPAN_PADDING; break;
        default: continue;
        }
        memset(p->kinds + s->offset, (int)code, (size_t)s->len);
    }
}

static void emit_runs(const plugin *p, as_span_writer *w, size_t from, size_t to)
{
    while (from < to) {
        size_t end = from + 1;
        while (end < to && p->kinds[end] == p->kinds[from])
            end++;
        unsigned code = p->kinds[from];
        as_write_span(w, 0, from, end - from, (as_span_kind)(code & 15), (as_meta_kind)(code >> 4), NULL);
        from = end;
    }
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    plugin *p = (plugin *)ctx; /* inspection may ask the child for fresh spans */
    as_emit_region(in, 0, p->region, p->size);
    fill_kinds(p);
    as_span_writer w;
    as_writer_begin(&w, in);
    size_t cursor = 0;
    for (size_t i = 0; i < p->nblocks; i++) {
        const pl_block *b = &p->blocks[i];
        emit_runs(p, &w, cursor, b->offset);
        as_write_span(&w, 0, b->offset, b->len, AS_SPAN_LIVE, AS_META_NONE, p->region + b->offset);
        cursor = b->offset + b->len;
    }
    emit_runs(p, &w, cursor, p->size);
    if (p->spans_valid)
        for (size_t i = 0; i < p->nspans; i++)
            if (p->spans[i].kind == ASP_OFFSET)
                as_write_marker(&w, AS_MARK_OFFSET, 0, (size_t)p->spans[i].offset);
    as_writer_end(&w);
}

static const char *probe_check(const void *ctx)
{
    plugin *p = (plugin *)ctx;
    if (p->dead)
        return "plugin: the allocator could not be restarted; load it again";
    for (size_t i = 1; i < p->nblocks; i++)
        if (p->blocks[i - 1].offset + p->blocks[i - 1].len > p->blocks[i].offset)
            return "plugin: the supervisor's live blocks overlap";
    if (p->checks) {
        proto_req q = {.op = PLUGIN_OP_CHECK};
        proto_resp r;
        if (call(p, &q, &r) && r.status) {
            r.text[sizeof r.text - 1] = '\0';
            snprintf(p->check_text, sizeof p->check_text, "plugin %s: %s", p->name, r.text);
            return p->check_text;
        }
    }
    if (fresh_spans(p))
        for (size_t i = 0; i < p->nblocks; i++) {
            long m = meta_overlap(p, p->blocks[i].offset, p->blocks[i].len);
            if (m >= 0) {
                snprintf(p->check_text, sizeof p->check_text,
                         "plugin %s: its metadata at %llu overlaps the live block at %zu", p->name,
                         (unsigned long long)p->spans[m].offset, p->blocks[i].offset);
                return p->check_text;
            }
        }
    return NULL;
}

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t align_log2)
{
    const plugin *p = ctx;
    long i = find_block(p, (uintptr_t)mem);
    if (i < 0)
        return AS_FREE_NOT_OWNED;
    if (p->blocks[i].len != len || p->blocks[i].align_log2 != align_log2)
        return AS_FREE_WRONG_SIZE;
    return AS_FREE_OK;
}

/* A fresh child over a zeroed region: every block is gone. */
static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    (void)mode, (void)limit;
    plugin *p = ctx;
    char why[200];
    stop_child(p);
    p->nblocks = p->nlog = p->nspans = 0;
    p->spans_valid = false;
    p->calls = 0;
    p->dead = false;
    memset(p->seen, 0, p->size / 8 + 1);
    if (start_child(p, why, sizeof why) != PLUGIN_OK) {
        proto_req q = {.op = PLUGIN_OP_INIT};
        mark_dead(p, &q, why);
        return false;
    }
    return true;
}

static bool probe_offset(const void *ctx, size_t *out)
{
    plugin *p = (plugin *)ctx;
    if (!fresh_spans(p))
        return false;
    for (size_t i = 0; i < p->nspans; i++)
        if (p->spans[i].kind == ASP_OFFSET) {
            *out = (size_t)p->spans[i].offset;
            return true;
        }
    return false;
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const plugin *p = ctx;
    long i = find_block(p, (uintptr_t)mem);
    if (i < 0)
        return false;
    size_t off = p->blocks[i].offset, pad = 0;
    if (p->spans_valid)
        for (size_t k = 0; k < p->nspans; k++)
            if (p->spans[k].kind == ASP_PADDING && p->spans[k].offset + p->spans[k].len == off)
                pad = (size_t)p->spans[k].len;
    *out = (as_location){0, off, pad};
    return true;
}

static void probe_destroy(void *ctx) { plugin_destroy(ctx); }

const as_probe plugin_probe = {
    .kind = "plugin",
    .inspect = probe_inspect,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .offset = probe_offset,
    .locate = probe_locate,
    .destroy = probe_destroy,
};
