/*
 * interpose.c - liballocscope_record.so, preloaded by `allocscope record`
 * into the program it records (LD_PRELOAD). It defines every glibc
 * allocation entry point, calls glibc's own implementation through the
 * symbols glibc exports for that purpose (__libc_malloc, __libc_calloc,
 * __libc_realloc, __libc_free, __libc_memalign, __libc_valloc,
 * __libc_pvalloc: no dlsym, so no dlsym recursion), and appends one
 * packed record_raw_event per call (24 bytes for most) to its thread's
 * buffer, written in chunks to a raw file in $ALLOCSCOPE_RECORD_DIR.
 *
 * What heaptrack and bytehound learned, and how it is done here:
 * - Recursion: a thread-local guard (initial-exec TLS, so reading it never
 *   allocates); a call made while the guard is up goes straight to glibc
 *   unrecorded. The recorder itself never allocates from malloc (buffers
 *   are mmapped, written with write()), the guard covers dladdr() and
 *   pthread_setspecific().
 * - errno: what the real call left; the recorder's own system calls
 *   (writing, opening, mapping a buffer) save and restore it.
 * - Order: each thread appends to a buffer of its own (no lock: see
 *   emit_seq), and every event takes a place in the order of all calls
 *   (take_place): a free before the real free (another thread may get
 *   the address back at once), an allocation after the real call, a
 *   realloc both (before, for the block it may free; after, for the one
 *   it gives). With threads the places come from clocks per thread and
 *   per region of memory rather than one shared counter, and order every
 *   two calls whose blocks share a byte as glibc ordered them. The
 *   buffers go to the file in chunks; the converter (src/app/record.c)
 *   merges the threads' chunks by those places.
 * - Cost (tests/bench_record.sh): the TSC is read for every 64th event
 *   of a thread only (on a virtual machine a read is 50 ns, more than a
 *   malloc), the converter interpolates the others; the packing is
 *   inlined; errno is only saved around the recorder's own system calls;
 *   the place is a plain counter until the program has a second thread.
 * - glibc's view: each block handed out carries its slack (what
 *   malloc_usable_size would say, less the bytes asked for) and its
 *   chunk's mmapped / other-arena bits, read from the chunk's size word;
 *   the header carries sbrk(0) at the start, where the main heap begins.
 * - Flushing: a thread's buffer when it is full (128 KiB) and when the
 *   thread ends (a pthread key's destructor; what the thread still calls
 *   after it, in later destructors, is written event by event); every
 *   thread's by the destructor (exit), after which every event is written
 *   at once (destructors that run later still allocate); by _exit/_Exit,
 *   which are interposed too; before exec; and on fatal signals whose
 *   disposition was the default (flush, then the default action). The
 *   buffers are listed in a registry (never freed: a thread that ends
 *   gives its buffer back for the next one). SIGKILL loses what the
 *   threads buffered.
 * - fork: the child records to its own file (it starts with empty
 *   buffers: what they held is the parent's, which writes it; its file,
 *   named by its pid, is opened at its first call).
 * - exec: LD_PRELOAD and $ALLOCSCOPE_RECORD_DIR are inherited, so an exec'd
 *   program is recorded too, to its own file (raw.PID.GEN, GEN counting
 *   the images of one pid), unless it clears its environment.
 * - Callers (with ALLOCSCOPE_RECORD_STACKS=1): the return address is kept
 *   in the event and in a fixed table of distinct callers; they are
 *   symbolised with dladdr() once, at exit (raw.PID.GEN.sym), never in
 *   the hook.
 * - The raw file's descriptor is moved above 1000, and each flush checks
 *   it still is that file: when a program closed every descriptor, the
 *   file is opened again by its name; if it is gone the recording stops
 *   (raw.PID.GEN.lost says so) rather than write into the program's files.
 * Without $ALLOCSCOPE_RECORD_DIR the library only forwards the calls.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/membarrier.h>
#endif

#include "allocscope/record.h"

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t n);
extern void *__libc_valloc(size_t n);
extern void *__libc_pvalloc(size_t n);

/* declared by <malloc.h>, which would also bring glibc's own prototypes of the rest */
void *memalign(size_t align, size_t n);
void *pvalloc(size_t n);
extern char __libc_single_threaded; /* <sys/single_threaded.h>, glibc 2.32 */


enum { OFF_UNSET, ON, OFF };
#define BUF_BYTES (128 * 1024)
#define CALLERS (1u << 16)

/* One thread's buffer: a chunk header, then the packed events. A buffer
 * is taken by a thread at its first event and given back to the pool
 * when the thread ends (after its last flush); buffers are never freed,
 * and the registry (a list through next, only ever prepended to) lets
 * exit, exec and fatal signals flush every thread's. The owner appends
 * without a lock (busy marks it) until a flush of every buffer is asked
 * for (flush_req), then under lock, the lock such a flush takes. */
typedef struct tbuf {
    struct tbuf *next;
    int lock;
    int busy;                /* the owner is appending without the lock */
    int owned;
    uint32_t tid, stream;
    record_raw_state st;     /* the packing's memory of the events since the chunk began */
    unsigned until_sample;   /* events before the next sampled one: 0 when n is (buf_empty) */
    size_t n;                /* bytes of events after the chunk header */
    unsigned char data[sizeof(record_raw_chunk) + BUF_BYTES + RECORD_PACKED_MAX];
} __attribute__((aligned(64))) tbuf;

/* What every call reads of its thread, in one place (one offset to load). */
static TLS struct me {
    int in_hook;            /* the recursion guard: calls made while it is up go straight to glibc */
    tbuf *buf;              /* the thread's buffer, NULL before its first event */
    uint64_t clock;         /* the thread's clock (take_place_mt) */
} me;
static TLS uint32_t my_tid, my_stream;
static TLS int my_dying; /* the thread's buffer went back at its end: its last calls are written one by one */
static TLS int my_forking; /* the thread holds the file's and the registry's locks across fork */

/* The lock of the file (writes, reopening it, opening it) and the lock
 * of the registry (taking and giving back buffers). Lock order: a
 * buffer's lock, then the file's; the registry's alone. */
static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static tbuf *registry;
static uint32_t streams;
static pthread_key_t buf_key;
static int have_key;

/* The place of the next event while the process has one thread (see
 * take_place), alone in its cache line. */
static struct {
    uint64_t v;
    char pad[56];
} next_seq __attribute__((aligned(64)));

/* Set (for good) once a flush of every thread's buffer began: the threads
 * then append under their buffer's lock. See emit_seq. */
static int flush_req;

static int state = OFF_UNSET;
static int quick; /* state is ON, no callers recorded, not past exit: emit_fast may take a call */
static int fd = -1;
static int unbuffered;
static int stacks;
static char path[4096];
static uint32_t file_pid;   /* the process the open file belongs to */
static ino_t file_ino;
static dev_t file_dev;
static uint64_t callers[CALLERS];
static uint64_t heap_start; /* the main heap's start (main_heap_start): kept by a fork child (its heap is its parent's) */
static size_t ncallers;

/* The recorder's state becomes st (and quick with it). */
static void set_state(int st)
{
    __atomic_store_n(&state, st, __ATOMIC_RELAXED);
    __atomic_store_n(&quick, st == ON && !stacks && !__atomic_load_n(&unbuffered, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

/* The event clock: the TSC where there is one (the vDSO's clock_gettime
 * was a third of the recorder's cost), paired with CLOCK_MONOTONIC at
 * every flush (in the chunk header) so the converter can scale it. */
static uint64_t ticks(void)
{
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#define store_load_fence() ((void)0) /* after a locked read-modify-write, a full barrier already */
#else
#define cpu_relax() ((void)0)
#define store_load_fence() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

static void spin_lock(int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(l, __ATOMIC_RELAXED))
            cpu_relax();
}

/* The lock, or false after about a million tries (a fatal signal must
 * not wait forever for a thread it interrupted). */
static bool spin_lock_bounded(int *l)
{
    for (long i = 0; i < (1L << 20); i++) {
        if (!__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
            return true;
        cpu_relax();
    }
    return false;
}

static void spin_unlock(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

/* The recorder's own file I/O as raw system calls: write, open and close
 * are cancellation points in glibc, and a thread cancelled inside one
 * would unwind holding the file's lock (its key's destructor, and every
 * later flush, would then wait for it for ever). */
static ssize_t sys_write(int f, const void *p, size_t n) { return syscall(SYS_write, f, p, n); }
static int sys_open(const char *name, int flags, mode_t mode) { return (int)syscall(SYS_openat, AT_FDCWD, name, flags, mode); }
static void sys_close(int f) { syscall(SYS_close, f); }
static ssize_t sys_read(int f, void *p, size_t n) { return (ssize_t)syscall(SYS_read, f, p, n); }

/* Where the main heap starts: the [heap] line of /proc/self/maps (glibc
 * may have grown it before the first call the recorder sees, so the break
 * now can be past its first chunks), else the break now, which is where it
 * will start. Raw system calls and a buffer on the stack: no allocation. */
static uint64_t main_heap_start(void)
{
    char buf[4096];
    size_t have = 0;
    int f = sys_open("/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
    for (ssize_t got; f >= 0 && (got = sys_read(f, buf + have, sizeof buf - 1 - have)) > 0;) {
        have += (size_t)got;
        buf[have] = '\0';
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            if (strstr(line, "[heap]")) {
                sys_close(f);
                return strtoull(line, NULL, 16);
            }
            line = nl + 1;
        }
        have = strlen(line); /* a line cut by the buffer's end: keep its start */
        memmove(buf, line, have);
        if (have == sizeof buf - 1)
            have = 0; /* (no line is this long) */
    }
    if (f >= 0)
        sys_close(f);
    return (uint64_t)(uintptr_t)sbrk(0);
}

static void write_all(int f, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = sys_write(f, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            set_state(OFF);
            return;
        }
        p += w, n -= (size_t)w;
    }
}

/* The program closed our descriptor (and may have reused its number):
 * the file again, by its name, at a high descriptor. */
static void reopen(void)
{
    int f = sys_open(path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
    if (f < 0)
        return;
    int high = fcntl(f, F_DUPFD_CLOEXEC, 1000);
    if (high >= 0)
        sys_close(f), f = high;
    fd = f;
}

/* Writes one chunk (its header at data, n bytes of events after it) with
 * the clock now in its header; the file's lock is held (or, in a fatal
 * signal, it cannot be had). */
static void write_chunk_locked(unsigned char *data, size_t n, uint32_t tid, uint32_t stream)
{
    int saved = errno; /* the hooks leave errno to the real calls: what the recorder does keeps it */
    struct stat st;
    if (state == ON && n > 0 && (fstat(fd, &st) != 0 || st.st_ino != file_ino || st.st_dev != file_dev))
        reopen();
    if (state == ON && n > 0 && (fstat(fd, &st) != 0 || st.st_ino != file_ino || st.st_dev != file_dev)) {
        /* the file is gone: stop, write nothing, say so */
        set_state(OFF);
        char lost[sizeof path + 8];
        stpcpy(stpcpy(lost, path), ".lost");
        int f = sys_open(lost, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (f >= 0)
            sys_close(f);
    }
    if (state == ON && n > 0) {
        record_raw_chunk c;
        c.magic = RECORD_CHUNK_MAGIC;
        c.tid = tid;
        c.stream = stream;
        c.bytes = (uint32_t)n;
        c.ticks = ticks();
        c.ns = now_ns();
        __builtin_memcpy(data, &c, sizeof c);
        write_all(fd, data, sizeof c + n);
    }
    errno = saved;
}

/* Empties b: its next event begins a chunk, and is sampled (sampled). */
static inline void buf_empty(tbuf *b)
{
    b->n = 0;
    b->until_sample = 0;
}

/* Writes b's events; b's lock is held (or b is the caller's own, or the
 * process has one thread). */
static void flush_buf(tbuf *b)
{
    if (b->n == 0)
        return;
    if (!my_forking) /* (a call made by another fork handler: this thread holds the lock already) */
        pthread_mutex_lock(&file_lock);
    write_chunk_locked(b->data, b->n, b->tid, b->stream);
    buf_empty(b); /* (before the file's lock goes: a flush of every buffer that gave up waiting writes nothing twice) */
    if (!my_forking)
        pthread_mutex_unlock(&file_lock);
}

/* Appends decimal v to s (no allocation, no locale). */
static char *put_uint(char *s, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *s++ = tmp[--n];
    *s = '\0';
    return s;
}

/* Opens raw.PID.GEN in the recording directory: called with the file's
 * lock held at the first event of a process image. */
static void register_barrier(void);

static void open_file(void)
{
    if (heap_start == 0)
        heap_start = main_heap_start();
    const char *dir = getenv("ALLOCSCOPE_RECORD_DIR");
    set_state(OFF);
    if (dir == NULL || strlen(dir) > sizeof path - 64)
        return;
    const char *want = getenv("ALLOCSCOPE_RECORD_STACKS");
    stacks = want != NULL && want[0] == '1';
    register_barrier(); /* before anything is recorded: asym never changes under a recording thread */
    uint32_t pid = (uint32_t)getpid();
    for (uint32_t gen = 0; gen < 1000; gen++) {
        char *s = stpcpy(stpcpy(path, dir), "/raw.");
        s = put_uint(s, pid);
        *s++ = '.';
        put_uint(s, gen);
        fd = sys_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return;
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 1000); /* out of the way of programs that expect low fds */
        if (high >= 0)
            sys_close(fd), fd = high;
        struct stat st;
        if (fstat(fd, &st) != 0)
            return;
        file_ino = st.st_ino, file_dev = st.st_dev, file_pid = pid;
        record_raw_header h;
        memset(&h, 0, sizeof h);
        memcpy(h.magic, RECORD_RAW_MAGIC, sizeof h.magic);
        h.pid = pid;
        h.ppid = (uint32_t)getppid();
        h.generation = gen;
        h.stacks = (uint32_t)stacks;
        h.start_ticks = ticks();
        h.start_ns = now_ns();
        h.heap_start = heap_start;
        set_state(ON);
        write_all(fd, &h, sizeof h);
        return;
    }
}

/* The table of distinct callers, filled without a lock (a slot goes from
 * 0 to its address once, by compare-and-swap). */
static void note_caller(uint64_t c)
{
    if (c == 0 || __atomic_load_n(&ncallers, __ATOMIC_RELAXED) >= CALLERS / 2)
        return;
    size_t i = (size_t)((c * 0x9E3779B97F4A7C15u) >> 48) & (CALLERS - 1);
    for (;;) {
        uint64_t cur = __atomic_load_n(&callers[i], __ATOMIC_RELAXED);
        if (cur == c)
            return;
        if (cur == 0) {
            if (__atomic_compare_exchange_n(&callers[i], &cur, c, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
                __atomic_fetch_add(&ncallers, 1, __ATOMIC_RELAXED);
                return;
            }
            if (cur == c)
                return;
        }
        i = (i + 1) & (CALLERS - 1);
    }
}

/* The slack of a block glibc handed out (malloc_usable_size minus the
 * bytes asked for) and its chunk's flags, read from glibc's chunk header
 * (the size word before the block: bit 1 mmapped, bit 2 not the main
 * arena). */
/* What glibc's malloc_usable_size computes from a chunk's size word,
 * without its checks (a twentieth of the recorder's time): the chunk's
 * size less its size word, less the prev_size word too for an mmapped
 * chunk. */
static inline size_t chunk_usable(size_t word) { return (word & ~(size_t)7) - (word & 2 ? 2 : 1) * sizeof(size_t); }

static void chunk_facts(record_raw_event *e, size_t asked)
{
    if (e->ptr == 0)
        return;
    size_t word = ((const size_t *)(uintptr_t)e->ptr)[-1];
    size_t usable = chunk_usable(word);
    e->slack = usable > asked ? (usable - asked > UINT32_MAX ? UINT32_MAX : (uint32_t)(usable - asked)) : 0;
    e->chunk = (uint8_t)((word & 2 ? RECORD_CHUNK_MMAPPED : 0) | (word & 4 ? RECORD_CHUNK_NON_MAIN : 0));
}

/* A thread ends (its key's destructor): its buffer out, then back to the
 * pool; the calls it still makes (other destructors free memory after
 * this one) are written one by one. */
static void thread_done(void *v)
{
    tbuf *b = v;
    int was = me.in_hook;
    me.in_hook = 1;
    int e = errno;
    spin_lock(&b->lock); /* against a flush of every buffer (the owner itself appends no more) */
    flush_buf(b);
    __atomic_store_n(&b->busy, 0, __ATOMIC_RELEASE); /* (a thread cancelled inside a call) */
    spin_unlock(&b->lock);
    pthread_mutex_lock(&reg_lock);
    __atomic_store_n(&b->owned, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&reg_lock);
    me.buf = NULL;
    my_dying = 1;
    errno = e;
    me.in_hook = was;
}

/* The calling thread's buffer: one from the pool, or a new one (mmap: the
 * recorder allocates nothing from malloc); NULL once the thread is ending
 * or if there is no memory (its calls are then written one by one). */
static tbuf *take_buf(void)
{
    if (my_dying)
        return NULL;
    int saved = errno;
    if (!my_forking) /* (forking, this thread holds it) */
        pthread_mutex_lock(&reg_lock);
    if (!have_key)
        have_key = pthread_key_create(&buf_key, thread_done) == 0;
    tbuf *b = registry;
    while (b != NULL && b->owned)
        b = b->next;
    if (b == NULL) {
        void *m = mmap(NULL, sizeof(tbuf), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) {
            b = m;
            b->next = registry;
            __atomic_store_n(&registry, b, __ATOMIC_RELEASE);
        }
    }
    my_stream = ++streams; /* (without a buffer too: its events written one by one are a stream of their own) */
    if (b != NULL) { /* its lock is free, or held by a flush of every buffer that finds it empty */
        b->owned = 1;
        buf_empty(b);
        b->tid = my_tid;
        b->stream = my_stream;
    }
    if (!my_forking)
        pthread_mutex_unlock(&reg_lock);
    if (b != NULL && have_key)
        pthread_setspecific(buf_key, b); /* the guard is up: if it allocates, that goes unrecorded */
    me.buf = b;
    errno = saved;
    return b;
}

/* The event's place in the order of all calls: a number each event
 * takes at the moment its call takes effect (a free before the real
 * free, an allocation after the real call returns, a realloc both:
 * before, for the block it may free, and after, for the one it gives).
 * The converter merges the threads' events by it, so it must put every
 * two calls whose blocks share a byte in the order they took effect
 * (thread A frees X, thread B's malloc then returns X or bytes of it).
 *
 * While the process has one thread, the place is a plain counter. Once
 * it has a second (glibc clears __libc_single_threaded in pthread_create
 * before the new thread runs and never sets it again), one counter that
 * every thread increments was the recorder's largest cost: its cache
 * line moved between the cores at every call. Instead each thread keeps
 * a clock of its own (a hybrid logical clock), and every 64 MiB region
 * of the address space has one, each in a line of its own:
 *   place = 1 + max(the thread's clock, the clock of every region the
 *                   call's chunk covers, the tick counter when sampled)
 * and the call raises those regions' clocks to its place (an atomic
 * maximum). If A frees X and B's malloc then returns X's bytes, glibc made
 * B's call wait for A's (X went back through an arena, whose mutex orders
 * the two; a tcache is never shared; an mmapped chunk comes back through
 * munmap and mmap, which the kernel orders), so B reads the clock of X's
 * region after A raised it: B's place is larger. The same holds for a
 * block one thread allocates and another frees (the program itself must
 * order those two). Threads whose blocks lie in different regions (glibc
 * gives each thread an arena of its own, in its own aligned 64 MiB heap)
 * then share no line; the tick counter keeps the places near the order
 * in time. Places of two threads may be equal: such calls have no block
 * in common, and the converter takes either first. */
#define REGION_SHIFT 26
#define REGIONS 4096
#define OWNER_SHARED ((tbuf *)1)
#define STEALS_BEFORE_SHARED 3

/* A region's clock is written by one thread with plain stores while that
 * thread owns it (owner: its buffer), else (OWNER_SHARED) by every thread
 * with a compare-and-swap: a locked instruction per call was a tenth of a
 * malloc-heavy program's time, and most regions are only ever used by
 * one thread (its arena's heap). A thread that needs a region another
 * owns takes it over (region_take): it names itself the owner (the
 * region becomes shared once it has changed hands STEALS_BEFORE_SHARED
 * times), then makes every thread of the process pass a memory barrier
 * (membarrier(2)), then waits until the old owner is not inside a call
 * (its buffer's busy flag). The owner marks itself busy before it reads
 * who owns the region, without a barrier of its own: whichever way the
 * two interleave, the old owner either sees it no longer owns the
 * region, or is seen busy and waited for. Where the kernel has no such
 * barrier (asym 0), every region is shared. */
static struct region {
    uint64_t clock;
    tbuf *owner;             /* NULL: nobody yet; OWNER_SHARED; or the buffer of the thread that owns it */
    uint32_t steals;
    int lock;                /* taken to change the owner */
    char pad[40];
} regions[REGIONS] __attribute__((aligned(64)));
static int asym;

/* Every thread of the process passes a full memory barrier before it
 * returns (false if the kernel cannot: then asym is 0 from the start). */
static bool heavy_barrier(void)
{
#ifdef SYS_membarrier
    return syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0;
#else
    return false;
#endif
}

/* Asks the kernel for heavy_barrier, once a process: when it opens its
 * file (before its first event is recorded), and in a fork child (a new
 * process registers anew, before it has a second thread). */
static void register_barrier(void)
{
    static uint32_t registered; /* the process that did */
    if (registered == (uint32_t)getpid())
        return;
    registered = (uint32_t)getpid();
    asym = 0;
#ifdef SYS_membarrier
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
        syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
        asym = heavy_barrier();
#endif
}

/* Waits until the thread of buffer o is not inside a call: it spins a
 * while, then yields the core (the owner may be waiting for it on this
 * one), and gives up after about 100,000 yields (seconds: a thread
 * stopped inside a call for good, say by a signal handler that waits for
 * this thread, must not hang the program). */
static void wait_idle(const tbuf *o)
{
    for (long i = 0; __atomic_load_n(&o->busy, __ATOMIC_ACQUIRE) && i < (1L << 17); i++)
        if (i < 1024)
            cpu_relax();
        else
            sched_yield();
}

/* Makes region r writable by the caller (its buffer b, NULL if it has
 * none): owned by b or shared. The caller is not busy. */
static void region_take(struct region *r, tbuf *b)
{
    spin_lock(&r->lock);
    tbuf *o = __atomic_load_n(&r->owner, __ATOMIC_ACQUIRE);
    if (o != OWNER_SHARED && o != b) {
        bool share = b == NULL || (o != NULL && ++r->steals >= STEALS_BEFORE_SHARED);
        __atomic_store_n(&r->owner, share ? OWNER_SHARED : b, __ATOMIC_SEQ_CST);
        if (o != NULL) {
            if (!heavy_barrier()) /* (refused now: a sandbox came up) every region is shared from here */
                __atomic_store_n(&asym, 0, __ATOMIC_SEQ_CST);
            wait_idle(o);
        }
    }
    spin_unlock(&r->lock);
}

/* The bytes glibc's chunk of the block p covers, [*lo, *hi): from its size
 * word (an mmapped chunk: from its mapping, prev_size bytes before) to
 * its end. Read before a free, after an allocation: glibc itself reads
 * that word first. */
static inline void chunk_span(const void *p, uint64_t *lo, uint64_t *hi)
{
    const size_t *w = p;
    uint64_t chunk = (uint64_t)(uintptr_t)p - 2 * sizeof(size_t);
    *lo = w[-1] & 2 ? chunk - w[-2] : chunk;
    *hi = chunk + (w[-1] & ~(size_t)7);
}

static inline struct region *region_at(uint64_t i) { return &regions[i & (REGIONS - 1)]; }

/* take_place_mt for the blocks that do not fit its quick case: k0, the
 * place before the regions are counted. */
static __attribute__((noinline)) uint64_t take_place_regions(tbuf *b, const void *block, uint64_t k0)
{
    uint64_t lo, hi;
    chunk_span(block, &lo, &hi);
    uint64_t first = lo >> REGION_SHIFT, last = hi > lo ? (hi - 1) >> REGION_SHIFT : first + REGIONS - 1;
    uint64_t count = last - first < REGIONS ? last - first + 1 : REGIONS; /* (a damaged size word: all) */
    for (;;) {
        uint64_t k = k0;
        bool ready = true; /* every region owned by b or shared */
        for (uint64_t i = 0; i < count; i++) {
            struct region *r = region_at(first + i);
            uint64_t c = __atomic_load_n(&r->clock, __ATOMIC_RELAXED);
            k = c >= k ? c + 1 : k;
            tbuf *o = asym ? __atomic_load_n(&r->owner, __ATOMIC_RELAXED) : OWNER_SHARED;
            ready &= o == OWNER_SHARED || (o == b && b != NULL);
        }
        if (!ready) { /* take them, not busy (another thread may be waiting for this one) */
            if (b)
                __atomic_store_n(&b->busy, 0, __ATOMIC_RELEASE);
            for (uint64_t i = 0; i < count; i++)
                region_take(region_at(first + i), b);
            if (b)
                __atomic_store_n(&b->busy, 1, __ATOMIC_RELAXED);
            __atomic_signal_fence(__ATOMIC_SEQ_CST);
            continue;
        }
        bool fenced = false;
        for (uint64_t i = 0; i < count; i++) {
            struct region *r = region_at(first + i);
            uint64_t cur = __atomic_load_n(&r->clock, __ATOMIC_RELAXED);
            if (asym && __atomic_load_n(&r->owner, __ATOMIC_RELAXED) == b) {
                if (cur < k)
                    __atomic_store_n(&r->clock, k, __ATOMIC_RELAXED);
                continue;
            }
            while (cur < k && !__atomic_compare_exchange_n(&r->clock, &cur, k, true, __ATOMIC_SEQ_CST,
                                                           __ATOMIC_RELAXED))
                ;
            fenced |= cur < k; /* (the exchange was made) */
        }
        if (!asym && !fenced)
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
        else if (!asym)
            store_load_fence();
        return k;
    }
}

/* The least place the calling thread's next call may take: past its own
 * clock, the one counter of the single-threaded start, and now (the tick
 * counter if the event is sampled, else 0). */
static inline __attribute__((always_inline)) uint64_t place_floor(uint64_t now)
{
    uint64_t k = me.clock, base = __atomic_load_n(&next_seq.v, __ATOMIC_RELAXED);
    k = k > base ? k : base;
    return (k > now ? k : now) + 1;
}

/* Place k raised past the clock of region r, which the caller owns: the
 * region's clock is raised to it with a plain store (see region_take). */
static inline __attribute__((always_inline)) uint64_t place_owned(struct region *r, uint64_t k)
{
    uint64_t c = __atomic_load_n(&r->clock, __ATOMIC_RELAXED);
    k = c >= k ? c + 1 : k;
    __atomic_store_n(&r->clock, k, __ATOMIC_RELAXED);
    return k;
}

/* A place while the process has threads (see above). b: the caller's
 * buffer, marked busy (NULL: it has none); block: the block the call
 * frees or gives, NULL for none; now: the tick counter if the event is
 * sampled, else 0. Without asym, ends with a full barrier (emit_seq).
 * Inline, the commonest case: a chunk of glibc's heap inside one region
 * the caller owns. */
static inline uint64_t take_place_mt(tbuf *b, const void *block, uint64_t now)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* what follows stays after the caller's busy mark (heavy_barrier does the rest) */
    uint64_t k = place_floor(now);
    if (block == NULL) {
        if (!asym)
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
        return me.clock = k;
    }
    uint64_t lo, hi;
    chunk_span(block, &lo, &hi);
    if (hi > lo && lo >> REGION_SHIFT == (hi - 1) >> REGION_SHIFT && b != NULL) {
        struct region *r = region_at(lo >> REGION_SHIFT);
        if (__atomic_load_n(&r->owner, __ATOMIC_RELAXED) == b && asym)
            return me.clock = place_owned(r, k);
    }
    return me.clock = take_place_regions(b, block, k);
}

/* The event's place: see above. */
static inline uint64_t take_place(int mt, tbuf *b, const void *block, uint64_t now)
{
    return mt ? take_place_mt(b, block, now) : next_seq.v++;
}

/* Every SAMPLE_EVERY-th event of a thread (and the first of each chunk)
 * reads the tick counter; the converter interpolates the others. */
#define SAMPLE_EVERY 64

static inline bool sampled(tbuf *b)
{
    if (b->until_sample != 0) { /* (never so at a chunk's start: see buf_empty) */
        b->until_sample--;
        return false;
    }
    b->until_sample = SAMPLE_EVERY - 1;
    return true;
}


/* Writes one event on its own (a thread whose buffer went back at its
 * end, or that could not get one), as a chunk of one event. Not inlined:
 * the event's fields stay in registers on the way to a buffer. */
static __attribute__((noinline)) void emit_direct(record_raw_event e)
{
    unsigned char one[sizeof(record_raw_chunk) + RECORD_PACKED_MAX];
    size_t n = record_raw_pack(&e, &(record_raw_state){0}, one + sizeof(record_raw_chunk));
    if (!my_forking)
        pthread_mutex_lock(&file_lock);
    write_chunk_locked(one, n, my_tid, my_stream);
    if (!my_forking)
        pthread_mutex_unlock(&file_lock);
}

/* The calling thread's buffer (taken at its first event; NULL if it has
 * none: see take_buf). */
static tbuf *my_buffer(void)
{
    if (my_tid == 0) {
        my_tid = (uint32_t)syscall(SYS_gettid);
        if (me.buf)
            me.buf->tid = my_tid;
    }
    return me.buf ? me.buf : take_buf();
}

/* The start of a call that appends to b, the caller's buffer: its place
 * taken (see take_place), the clock read into *now if the event is
 * sampled (else 0). With threads the buffer is marked busy, or, once a
 * flush of every buffer began, locked (*locked): see emit_seq. */
static inline __attribute__((always_inline)) uint64_t append_begin(tbuf *b, int mt, const void *block, uint64_t *now, bool *locked)
{
    *locked = false;
    if (mt)
        __atomic_store_n(&b->busy, 1, __ATOMIC_RELAXED); /* ordered before the load of flush_req: see emit_seq */
    *now = sampled(b) ? ticks() : 0;
    uint64_t seq = take_place(mt, b, block, *now);
    if (mt && __atomic_load_n(&flush_req, __ATOMIC_RELAXED)) {
        __atomic_store_n(&b->busy, 0, __ATOMIC_RELEASE);
        spin_lock(&b->lock);
        *locked = true;
    }
    return seq;
}

/* The end of such a call, its event appended: the buffer written out
 * when full or when flush, then no longer busy (or locked). */
static inline __attribute__((always_inline)) void append_end(tbuf *b, int mt, bool locked, bool flush)
{
    if (b->n >= BUF_BYTES || flush)
        flush_buf(b);
    if (locked)
        spin_unlock(&b->lock);
    else if (mt)
        __atomic_store_n(&b->busy, 0, __ATOMIC_RELEASE);
}

/* Records one call. asked: the bytes a block handed out was asked for (0
 * for frees); before: a realloc's first place (taken before its real
 * call); the call's own place is taken here, now: after the real call for
 * an allocation, before it for a free (see take_place).
 *
 * The owner of a buffer appends to it without a lock: a flush of every
 * buffer (exit, exec, a fatal signal) is rare, and an uncontended lock
 * was a third of the recorder's cost with threads. Instead, a Dekker
 * handshake: the owner marks its buffer busy, then takes the place, then
 * reads flush_req; a flusher sets flush_req (sequentially consistent),
 * makes every thread pass a barrier (heavy_barrier, where the kernel
 * has it: the owner then needs none; else taking the place ends with a
 * full barrier: see take_place_mt), then reads busy. One of the two sees
 * the other's store: the owner then appends under the buffer's lock, or
 * the flusher waits until busy is clear. */
static void emit_seq(unsigned kind, const void *ptr, size_t size, uint64_t arg, const void *old, const void *caller,
                     int err, size_t asked, uint64_t before, int mt)
{
    record_raw_event e;
    tbuf *b = my_buffer();
    bool locked = false;
    /* the place block: the one freed (before the real free) or handed out (after the real call) */
    const void *block = asked ? ptr : record_kind_frees(kind) ? ptr : NULL;
    if (b) {
        e.seq = append_begin(b, mt, block, &e.ns, &locked);
    } else {
        e.ns = ticks();
        e.seq = take_place(mt, NULL, block, e.ns);
    }
    e.ptr = (uint64_t)(uintptr_t)ptr;
    e.size = size;
    e.arg = arg;
    e.old = (uint64_t)(uintptr_t)old;
    e.caller = stacks ? (uint64_t)(uintptr_t)caller : 0;
    e.before = before;
    e.tid = my_tid;
    e.kind = (uint16_t)kind;
    e.err = (uint16_t)err;
    e.slack = 0;
    e.chunk = 0;
    if (asked)
        chunk_facts(&e, asked);
    if (stacks)
        note_caller(e.caller);
    if (b == NULL) {
        emit_direct(e);
        return;
    }
    if (b->n == 0)
        record_raw_begin(&b->st);
    b->n += record_raw_pack(&e, &b->st, b->data + sizeof(record_raw_chunk) + b->n);
    append_end(b, mt, locked, __atomic_load_n(&unbuffered, __ATOMIC_RELAXED));
}

static inline int multi_threaded(void) { return !__atomic_load_n(&__libc_single_threaded, __ATOMIC_RELAXED); }

/* Appends the packed event of a malloc of glibc's heap or a free to b
 * (what record_raw_pack does for these calls, less the fields they lack):
 * flags the kind and RECORD_IS_NON_MAIN, now the ticks if sampled (else
 * 0), seq its place; for a malloc (alloc) its size and its slack field
 * (zigzag of the slack less glibc's rounding). */
static inline __attribute__((always_inline)) void pack_call(tbuf *b, unsigned flags, uint64_t now, uint64_t seq,
                                                            const void *p, bool alloc, size_t size,
                                                            uint64_t slack_field)
{
    unsigned char *o = b->data + sizeof(record_raw_chunk) + b->n;
    bool jump = seq != b->st.seq_next;
    o[0] = (unsigned char)(flags | (now ? RECORD_HAS_NS : 0) | (jump ? RECORD_HAS_SEQ : 0));
    size_t n = 1;
    if (now)
        __builtin_memcpy(o + 1, &now, 8), n = 9;
    if (jump)
        n += record_put_uint(o + n, seq - b->st.seq_next);
    b->st.seq_next = seq + 1;
    n += record_put_uint(o + n, record_zigzag((uint64_t)(uintptr_t)p - b->st.ptr));
    b->st.ptr = (uint64_t)(uintptr_t)p;
    if (alloc) {
        n += record_put_uint(o + n, size);
        n += record_put_uint(o + n, slack_field);
    }
    b->n += n;
}

/* The commonest calls, a malloc that got a block of glibc's heap and a
 * free of a block, packed straight into the thread's buffer: what
 * emit_seq and record_raw_pack do, less the fields these calls lack (a
 * tenth of the instructions). False, with nothing done, for any other
 * case (no buffer yet, callers recorded, an mmapped chunk, the file not
 * open or the recorder past exit): emit_seq takes those. asked: the
 * bytes a malloc asked for (at least 1), size what it passed; 0 for a
 * free. */
static inline __attribute__((always_inline)) bool emit_fast(unsigned kind, const void *p, size_t size, size_t asked)
{
    tbuf *b = me.buf;
    if (b == NULL || p == NULL || !__atomic_load_n(&quick, __ATOMIC_RELAXED))
        return false; /* (a buffer means my_tid is set: after a fork, quick stays 0 until emit_seq sets it) */
    size_t word = asked ? ((const size_t *)p)[-1] : 0; /* glibc's size word (see chunk_facts) */
    if (word & 2)
        return false;
    int mt = multi_threaded();
    bool locked;
    uint64_t now, seq = append_begin(b, mt, p, &now, &locked);
    if (b->n == 0)
        record_raw_begin(&b->st);
    uint64_t slack_field = 0;
    if (asked) {
        size_t usable = chunk_usable(word);
        size_t slack = usable > asked ? usable - asked : 0;
        slack_field = record_zigzag((slack < UINT32_MAX ? slack : UINT32_MAX) - record_glibc_slack(size));
    }
    pack_call(b, kind | (word & 4 ? RECORD_IS_NON_MAIN : 0), now, seq, p, asked != 0, size, slack_field);
    /* (past exit every event goes out at once: a call that began before it, too) */
    append_end(b, mt, locked, locked && __atomic_load_n(&unbuffered, __ATOMIC_RELAXED));
    return true;
}

/* take_place_mt's quick case for emit_quick: the caller's buffer b
 * marked busy and its place taken into *seq when the chunk of p (size
 * word: word) lies in one region b owns, no flush of every buffer has
 * begun and the kernel has heavy_barrier (asym). Else false, nothing
 * done and b not busy: emit_fast takes the call. */
static inline __attribute__((always_inline)) bool take_place_quick(tbuf *b, const void *p, size_t word, uint64_t *seq)
{
    uint64_t lo = (uint64_t)(uintptr_t)p - 2 * sizeof(size_t), hi = lo + (word & ~(size_t)7);
    if ((word & 2) || hi <= lo || (lo ^ (hi - 1)) >> REGION_SHIFT)
        return false; /* (mmapped, damaged, or across regions) */
    struct region *r = region_at(lo >> REGION_SHIFT);
    __atomic_store_n(&b->busy, 1, __ATOMIC_RELAXED); /* (see emit_seq and region_take) */
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&flush_req, __ATOMIC_RELAXED) || __atomic_load_n(&r->owner, __ATOMIC_RELAXED) != b ||
        !__atomic_load_n(&asym, __ATOMIC_RELAXED)) {
        __atomic_store_n(&b->busy, 0, __ATOMIC_RELEASE);
        return false;
    }
    *seq = me.clock = place_owned(r, place_floor(0));
    return true;
}

/* The quickest case of all, taken by most calls: what emit_fast does for
 * a malloc of glibc's heap or a free, for an event that is not sampled
 * nor its chunk's first (so no ticks and no chunk to begin), a malloc
 * whose chunk is what glibc's rounding of its size gives (the slack
 * field is then 0), and with threads a chunk in one region the thread
 * owns (take_place_quick): a few tests of all that, then the fields.
 * False, with nothing done, for any other case: emit_fast or emit takes
 * it. kind: RK_MALLOC or RK_FREE; size: the bytes a malloc asked for.
 * Two thirds of emit_fast's instructions (tests/bench_record.sh). */
static inline __attribute__((always_inline)) bool emit_quick(unsigned kind, const void *p, size_t size)
{
    tbuf *b = me.buf;
    if (b == NULL || p == NULL || !__atomic_load_n(&quick, __ATOMIC_RELAXED))
        return false;
    if (b->until_sample == 0) /* (or the chunk's first) */
        return false;
    bool frees = kind == RK_FREE, mt = !__atomic_load_n(&__libc_single_threaded, __ATOMIC_RELAXED);
    size_t word = frees && !mt ? 0 : ((const size_t *)p)[-1];
    /* the chunk glibc's rounding gives (record_glibc_slack: the slack is
     * stored less that, 0 here), not mmapped (glibc's bit 2), of a size
     * from 1 (malloc(0) is asked 1 byte) to 2^31 */
    if (!frees && (((word & ~(size_t)5) ^ record_glibc_chunk(size)) | ((size - 1) >> 31)))
        return false;
    uint64_t seq;
    if (!mt)
        seq = next_seq.v++;
    else if (!take_place_quick(b, p, word, &seq))
        return false;
    b->until_sample--;
    /* (the slack field: 0, as glibc's rounding gives) */
    pack_call(b, kind | (frees ? 0 : (unsigned)(word & 4) << 4), 0, seq, p, !frees, size, 0); /* (4 << 4: RECORD_IS_NON_MAIN) */
    if (b->n >= BUF_BYTES)
        flush_buf(b);
    if (mt)
        __atomic_store_n(&b->busy, 0, __ATOMIC_RELEASE);
    return true;
}

/* False when nothing is recorded (no directory, a write failed); opens
 * the file at the first event of a process image. */
static inline bool recording(void)
{
    int st = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (st == ON)
        return true;
    if (st == OFF || my_forking)
        return false;
    int saved = errno;
    pthread_mutex_lock(&file_lock);
    if (state == OFF_UNSET)
        open_file();
    pthread_mutex_unlock(&file_lock);
    errno = saved;
    return state == ON;
}


/* An allocation or a free: its place taken now. */
static inline __attribute__((always_inline)) void emit(unsigned kind, const void *ptr, size_t size, uint64_t arg,
                                                       const void *old, const void *caller, int err, size_t asked)
{
    if (!recording())
        return;
    emit_seq(kind, ptr, size, arg, old, caller, err, asked, 0, multi_threaded());
}

#define CALLER __builtin_return_address(0)

/* Allocation entry points: the real call, then the event. */
#define ALLOC_HOOK(call, kind, size, arg, asked)                                                               \
    do {                                                                                                       \
        if (me.in_hook)                                                                                           \
            return call;                                                                                       \
        me.in_hook = 1;                                                                                           \
        void *p_ = call;                                                                                       \
        emit(kind, p_, size, arg, NULL, CALLER, p_ ? 0 : errno, asked);                                        \
        me.in_hook = 0;                                                                                           \
        return p_;                                                                                             \
    } while (0)

/* A malloc's event where emit_quick did not take it: out of line, so that
 * malloc itself keeps few registers. errno: what the real call left. */
static __attribute__((noinline)) void malloc_event(void *p, size_t n, const void *caller)
{
    if (!emit_fast(RK_MALLOC, p, n, n ? n : 1))
        emit(RK_MALLOC, p, n, 0, NULL, caller, p ? 0 : errno, n ? n : 1);
}

/* asked: the bytes asked for, at least 1 (malloc(0) gets a block too);
 * calloc's n * size cannot overflow when it returned a block */
EXPORT void *malloc(size_t n)
{
    if (me.in_hook)
        return __libc_malloc(n);
    me.in_hook = 1;
    void *p = __libc_malloc(n);
    if (!emit_quick(RK_MALLOC, p, n))
        malloc_event(p, n, CALLER);
    me.in_hook = 0;
    return p;
}
EXPORT void *calloc(size_t n, size_t size) { ALLOC_HOOK(__libc_calloc(n, size), RK_CALLOC, size, n, n * size != 0 ? n * size : 1); }
EXPORT void *memalign(size_t a, size_t n) { ALLOC_HOOK(__libc_memalign(a, n), RK_MEMALIGN, n, a, n ? n : 1); }
/* glibc 2.36's aligned_alloc is memalign under another name */
EXPORT void *aligned_alloc(size_t a, size_t n) { ALLOC_HOOK(__libc_memalign(a, n), RK_ALIGNED_ALLOC, n, a, n ? n : 1); }
EXPORT void *valloc(size_t n) { ALLOC_HOOK(__libc_valloc(n), RK_VALLOC, n, 0, n ? n : 1); }
EXPORT void *pvalloc(size_t n) { ALLOC_HOOK(__libc_pvalloc(n), RK_PVALLOC, n, 0, n ? n : 1); }

/* realloc frees and allocates in one: two places in the order, one
 * before the real call (for the free it may do: another thread may get
 * the old address back at once) and one after (for the block it gives). */
static void *realloc_hook(unsigned kind, void *old, size_t n, size_t per, uint64_t nmemb, const void *caller)
{
    me.in_hook = 1;
    bool rec = recording();
    int mt = multi_threaded();
    uint64_t before = 0;
    if (rec && mt) { /* (busy: see region_take) */
        tbuf *b = my_buffer();
        if (b)
            __atomic_store_n(&b->busy, 1, __ATOMIC_RELAXED);
        before = take_place(mt, b, old, 0);
        if (b)
            __atomic_store_n(&b->busy, 0, __ATOMIC_RELEASE);
    } else if (rec) {
        before = take_place(mt, NULL, old, 0);
    }
    void *p = __libc_realloc(old, n);
    if (rec)
        emit_seq(kind, p, per, nmemb, old, caller, p ? 0 : errno, n ? n : 1, before, mt);
    me.in_hook = 0;
    return p;
}

EXPORT void *realloc(void *old, size_t n)
{
    if (me.in_hook)
        return __libc_realloc(old, n);
    return realloc_hook(RK_REALLOC, old, n, n, 0, CALLER);
}

EXPORT void *reallocarray(void *old, size_t nmemb, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        if (!me.in_hook) {
            me.in_hook = 1;
            emit(RK_REALLOCARRAY, NULL, size, nmemb, old, CALLER, ENOMEM, 0);
            me.in_hook = 0;
        }
        errno = ENOMEM;
        return NULL;
    }
    if (me.in_hook)
        return __libc_realloc(old, n);
    /* the size is recorded per element: reallocarray(p, 0, s) frees as realloc(p, 0) does */
    return realloc_hook(RK_REALLOCARRAY, old, n, size, nmemb, CALLER);
}

EXPORT int posix_memalign(void **res, size_t a, size_t n)
{
    int saved = errno;
    int rc = 0;
    void *p = NULL;
    if (a == 0 || (a & (a - 1)) != 0 || a % sizeof(void *) != 0)
        rc = EINVAL;
    else if ((p = __libc_memalign(a, n)) == NULL)
        rc = ENOMEM;
    if (!me.in_hook) {
        me.in_hook = 1;
        emit(RK_POSIX_MEMALIGN, p, n, a, NULL, CALLER, rc, n ? n : 1);
        me.in_hook = 0;
    }
    if (rc == 0)
        *res = p;
    errno = saved;
    return rc;
}

/* A free's event where emit_quick did not take it (out of line, as
 * malloc_event). */
static __attribute__((noinline)) void free_event(void *p, unsigned kind, size_t size, size_t align, const void *caller)
{
    if (kind != RK_FREE || !emit_fast(RK_FREE, p, 0, 0))
        emit(kind, p, size, align, NULL, caller, 0, 0);
}

/* Frees: the event first, then the real free. */
static inline __attribute__((always_inline)) void free_hook(void *p, unsigned kind, size_t size, size_t align,
                                                            const void *caller)
{
    if (me.in_hook) {
        __libc_free(p);
        return;
    }
    me.in_hook = 1;
    if (kind != RK_FREE || !emit_quick(RK_FREE, p, 0))
        free_event(p, kind, size, align, caller);
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33)
    __libc_free(p); /* (glibc's free keeps errno since 2.33) */
#else
    int e = errno;
    __libc_free(p);
    errno = e;
#endif
    me.in_hook = 0;
}

EXPORT void free(void *p) { free_hook(p, RK_FREE, 0, 0, CALLER); }
EXPORT void free_sized(void *p, size_t n);
EXPORT void free_sized(void *p, size_t n) { free_hook(p, RK_FREE_SIZED, n, 0, CALLER); }
EXPORT void free_aligned_sized(void *p, size_t a, size_t n);
EXPORT void free_aligned_sized(void *p, size_t a, size_t n) { free_hook(p, RK_FREE_ALIGNED_SIZED, n, a, CALLER); }

/* The callers as "HEX symbol+0xOFF (module)" lines in raw.PID.GEN.sym. */
static void write_symbols(void)
{
    if (!stacks || ncallers == 0 || state != ON)
        return;
    char sym[sizeof path + 8];
    snprintf(sym, sizeof sym, "%s.sym", path);
    int f = sys_open(sym, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (f < 0)
        return;
    for (size_t i = 0; i < CALLERS; i++) {
        if (callers[i] == 0)
            continue;
        Dl_info info;
        char line[600];
        void *a = (void *)(uintptr_t)callers[i];
        int n;
        if (dladdr(a, &info) && info.dli_sname)
            n = snprintf(line, sizeof line, "%llx %s+0x%llx (%s)\n", (unsigned long long)callers[i],
                         info.dli_sname, (unsigned long long)((uintptr_t)a - (uintptr_t)info.dli_saddr),
                         info.dli_fname ? info.dli_fname : "?");
        else if (dladdr(a, &info) && info.dli_fname)
            n = snprintf(line, sizeof line, "%llx %s+0x%llx\n", (unsigned long long)callers[i], info.dli_fname,
                         (unsigned long long)((uintptr_t)a - (uintptr_t)info.dli_fbase));
        else
            n = snprintf(line, sizeof line, "%llx ?\n", (unsigned long long)callers[i]);
        if (n > 0)
            write_all(f, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    }
    sys_close(f);
}

/* Every thread's buffer out. wait: take each buffer's lock (exit, exec);
 * else (a fatal signal) try for a while and write it anyway, and never
 * wait for the caller's own (the signal may have interrupted it). */
static void flush_all(bool wait)
{
    __atomic_store_n(&flush_req, 1, __ATOMIC_SEQ_CST);
    if (asym && !heavy_barrier()) /* (the appending threads have no barrier of their own: see emit_seq) */
        __atomic_store_n(&asym, 0, __ATOMIC_SEQ_CST);
    for (tbuf *b = __atomic_load_n(&registry, __ATOMIC_ACQUIRE); b != NULL; b = b->next) {
        if (!__atomic_load_n(&b->owned, __ATOMIC_ACQUIRE))
            continue;
        bool mine = b == me.buf;
        bool locked = !mine && (wait ? (spin_lock(&b->lock), true) : spin_lock_bounded(&b->lock));
        /* an append begun before flush_req was seen ends with busy cleared (within a few hundred
         * nanoseconds: the bound is for a thread that died inside one, cancelled or killed) */
        for (long i = 0; !mine && __atomic_load_n(&b->busy, __ATOMIC_ACQUIRE) && i < (wait ? 1L << 24 : 1L << 20); i++)
            cpu_relax();
        if (wait) {
            flush_buf(b);
        } else if (b->n) { /* the file's lock too may be held by a thread the signal stopped */
            bool file = pthread_mutex_trylock(&file_lock) == 0;
            write_chunk_locked(b->data, b->n, b->tid, b->stream);
            buf_empty(b);
            if (file)
                pthread_mutex_unlock(&file_lock);
        }
        if (locked)
            spin_unlock(&b->lock);
    }
}

/* Everything out; later events are written at once (destructors that run
 * later still allocate). */
static void finish(void)
{
    if (state == ON && (uint32_t)getpid() != file_pid)
        return; /* a vfork child leaving by _exit: the memory and the buffers are its parent's */
    int was = me.in_hook;
    me.in_hook = 1;
    __atomic_store_n(&unbuffered, 1, __ATOMIC_SEQ_CST); /* first: a thread appending after its flush below sees it */
    __atomic_store_n(&quick, 0, __ATOMIC_SEQ_CST);
    flush_all(true);
    pthread_mutex_lock(&file_lock);
    write_symbols();
    pthread_mutex_unlock(&file_lock);
    me.in_hook = was;
}

__attribute__((destructor)) static void at_exit(void) { finish(); }

EXPORT void _exit(int status)
{
    finish();
    for (;;)
        syscall(SYS_exit_group, status);
}

EXPORT void _Exit(int status)
{
    finish();
    for (;;)
        syscall(SYS_exit_group, status);
}

/* exec replaces the image without running destructors: the buffer goes
 * out first. The real functions come from dlsym(RTLD_NEXT) with the guard
 * up (dlsym may allocate). execl* are not interposed (glibc builds their
 * argv and calls execve internally, past the PLT); the interposer then
 * loses what the child buffered since its fork. */
typedef int exec_fn(const char *, char *const[], char *const[]);
typedef int execp_fn(const char *, char *const[]);
typedef int fexec_fn(int, char *const[], char *const[]);

static void *real_fn(const char *name)
{
    int was = me.in_hook;
    me.in_hook = 1;
    void *f = dlsym(RTLD_NEXT, name);
    me.in_hook = was;
    return f;
}

static void before_exec(void)
{
    int e = errno;
    int was = me.in_hook;
    me.in_hook = 1;
    flush_all(true);
    me.in_hook = was;
    errno = e;
}

EXPORT int execve(const char *file, char *const argv[], char *const envp[])
{
    exec_fn *f = (exec_fn *)real_fn("execve");
    before_exec();
    return f ? f(file, argv, envp) : (errno = ENOSYS, -1);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    exec_fn *f = (exec_fn *)real_fn("execvpe");
    before_exec();
    return f ? f(file, argv, envp) : (errno = ENOSYS, -1);
}

EXPORT int execv(const char *file, char *const argv[])
{
    execp_fn *f = (execp_fn *)real_fn("execv");
    before_exec();
    return f ? f(file, argv) : (errno = ENOSYS, -1);
}

EXPORT int execvp(const char *file, char *const argv[])
{
    execp_fn *f = (execp_fn *)real_fn("execvp");
    before_exec();
    return f ? f(file, argv) : (errno = ENOSYS, -1);
}

EXPORT int fexecve(int fdesc, char *const argv[], char *const envp[])
{
    fexec_fn *f = (fexec_fn *)real_fn("fexecve");
    before_exec();
    return f ? f(fdesc, argv, envp) : (errno = ENOSYS, -1);
}

static const int fatal[] = {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
                            SIGSEGV, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU, SIGXFSZ, SIGSYS};

/* A fatal signal: flush what is buffered (without waiting for a lock a
 * thread may hold forever), then the default action (SA_RESETHAND). */
static void on_fatal(int sig)
{
    int e = errno;
    int was = me.in_hook;
    me.in_hook = 1;
    flush_all(false);
    me.in_hook = was;
    errno = e;
    raise(sig);
}

/* fork: the registry and the file stay consistent across it (their locks
 * held); the parent keeps its buffers and flushes them later, the child
 * starts empty (the events buffered are the parent's) with its own file
 * at its first call. */
static void before_fork(void)
{
    pthread_mutex_lock(&reg_lock);
    pthread_mutex_lock(&file_lock);
    my_forking = 1; /* other fork handlers may allocate: their calls must not wait for these locks */
}

static void after_fork_parent(void)
{
    my_forking = 0;
    pthread_mutex_unlock(&file_lock);
    pthread_mutex_unlock(&reg_lock);
}

static void after_fork_child(void)
{
    if (fd >= 0)
        close(fd);
    fd = -1;
    for (tbuf *b = registry; b != NULL; b = b->next) { /* the other threads are gone in the child */
        b->lock = 0;
        b->busy = 0;
        buf_empty(b);
        if (b != me.buf)
            b->owned = 0;
    }
    my_tid = 0;
    if (me.buf)
        me.buf->tid = 0;
    memset(callers, 0, sizeof callers);
    ncallers = 0;
    for (size_t i = 0; i < REGIONS; i++) /* (held by a thread the child does not have) */
        regions[i].lock = 0;
    register_barrier();
    if (state == ON)
        set_state(OFF_UNSET); /* the child's own file at its first call */
    my_forking = 0;
    pthread_mutex_unlock(&file_lock);
    pthread_mutex_unlock(&reg_lock);
}

__attribute__((constructor)) static void at_start(void)
{
    if (getenv("ALLOCSCOPE_RECORD_DIR") == NULL)
        return;
    pthread_mutex_lock(&file_lock);
    if (state == OFF_UNSET)
        open_file(); /* now, so a program that never allocates still shows it was recorded */
    pthread_mutex_unlock(&file_lock);
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction old, sa;
        if (sigaction(fatal[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO))
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal;
        sa.sa_flags = SA_RESETHAND | SA_NODEFER | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(fatal[i], &sa, NULL);
    }
}
