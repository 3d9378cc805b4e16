/*
 * interpose.c - liballocscope_record.so, preloaded by `allocscope record`
 * into the program it records (LD_PRELOAD). It defines every glibc
 * allocation entry point, calls glibc's own implementation through the
 * symbols glibc exports for that purpose (__libc_malloc, __libc_calloc,
 * __libc_realloc, __libc_free, __libc_memalign, __libc_valloc,
 * __libc_pvalloc: no dlsym, so no dlsym recursion), and appends one
 * packed record_raw_event per call (24 bytes for most) to a raw file in
 * $ALLOCSCOPE_RECORD_DIR.
 *
 * What heaptrack and bytehound learned, and how it is done here:
 * - Recursion: a thread-local guard (initial-exec TLS, so reading it never
 *   allocates); a call made while the guard is up goes straight to glibc
 *   unrecorded. The recorder itself never allocates (static buffer, raw
 *   write()), the guard covers dladdr() and friends at exit.
 * - errno: saved after the real call, restored after recording.
 * - Order: one process-wide mutex serialises the events, taken only once
 *   the process has a second thread (glibc's __libc_single_threaded). A
 *   free is recorded before the real free (another thread may get the
 *   address back at once), an allocation after the real call, realloc with
 *   the mutex held across the real call (it frees and allocates in one).
 * - Cost (tests/bench_record.sh): the TSC is read for every 16th event
 *   only (on a virtual machine a read is 50 ns, more than a malloc), the
 *   converter interpolates the others; the packing is inlined; about 16 ns
 *   an event on this machine.
 * - glibc's view: each block handed out carries its slack (what
 *   malloc_usable_size would say, less the bytes asked for) and its
 *   chunk's mmapped / other-arena bits, read from the chunk's size word;
 *   the header carries sbrk(0) at the start, where the main heap begins.
 * - Flushing: the buffer is flushed by the destructor (exit), after which
 *   every event is written at once (destructors that run later still
 *   allocate); by _exit/_Exit, which are interposed too; and on fatal
 *   signals whose disposition was the default (flush, then the default
 *   action). SIGKILL loses at most the last buffer.
 * - fork: the child records to its own file (the atfork handlers flush the
 *   parent's buffer before the fork and give the child an empty one and a
 *   new file, named by its pid, on its first call).
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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

static TLS int in_hook;
static TLS uint32_t my_tid;

enum { OFF_UNSET, ON, OFF };
#define BUF_BYTES (128 * 1024)
#define CALLERS (1u << 16)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int state = OFF_UNSET;
static int fd = -1;
static int unbuffered;
static int stacks;
static char path[4096];
static uint32_t file_pid;   /* the process the open file belongs to */
static ino_t file_ino;
static dev_t file_dev;
static unsigned char buf[BUF_BYTES + 2 * RECORD_PACKED_MAX]; /* + an event and the clock event */
static size_t nbuf; /* bytes */
static uint64_t callers[CALLERS];
static uint64_t heap_start; /* sbrk(0) at the start: kept by a fork child (its heap is its parent's) */
static size_t ncallers;

/* The event clock: the TSC where there is one (the vDSO's clock_gettime
 * was a third of the recorder's cost), paired with CLOCK_MONOTONIC at
 * every flush (RK_CLOCK) so the converter can scale it. */
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

static void write_all(int f, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(f, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            state = OFF;
            return;
        }
        p += w, n -= (size_t)w;
    }
}

/* The program closed our descriptor (and may have reused its number):
 * the file again, by its name, at a high descriptor. */
static void reopen(void)
{
    int f = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (f < 0)
        return;
    int high = fcntl(f, F_DUPFD_CLOEXEC, 1000);
    if (high >= 0)
        close(f), f = high;
    fd = f;
}

/* Writes the buffer, ended by a clock event; the lock is held (or, in a
 * fatal signal, it cannot be had). buf has room for the clock event. */
static void flush_locked(void)
{
    struct stat st;
    if (state == ON && nbuf > 0 && (fstat(fd, &st) != 0 || st.st_ino != file_ino || st.st_dev != file_dev))
        reopen();
    if (state == ON && nbuf > 0 && (fstat(fd, &st) != 0 || st.st_ino != file_ino || st.st_dev != file_dev)) {
        /* the file is gone: stop, write nothing, say so */
        state = OFF;
        char lost[sizeof path + 8];
        stpcpy(stpcpy(lost, path), ".lost");
        int f = open(lost, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (f >= 0)
            close(f);
    }
    if (state == ON && nbuf > 0) {
        record_raw_event c;
        memset(&c, 0, sizeof c);
        c.arg = ticks();
        c.ns = now_ns();
        c.kind = RK_CLOCK;
        nbuf += record_raw_pack(&c, buf + nbuf);
        write_all(fd, buf, nbuf);
    }
    nbuf = 0;
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

/* Opens raw.PID.GEN in the recording directory: called with the lock held
 * at the first event of a process image. */
static void open_file(void)
{
    if (heap_start == 0)
        heap_start = (uint64_t)(uintptr_t)sbrk(0);
    const char *dir = getenv("ALLOCSCOPE_RECORD_DIR");
    state = OFF;
    if (dir == NULL || strlen(dir) > sizeof path - 64)
        return;
    const char *want = getenv("ALLOCSCOPE_RECORD_STACKS");
    stacks = want != NULL && want[0] == '1';
    uint32_t pid = (uint32_t)getpid();
    for (uint32_t gen = 0; gen < 1000; gen++) {
        char *s = stpcpy(stpcpy(path, dir), "/raw.");
        s = put_uint(s, pid);
        *s++ = '.';
        put_uint(s, gen);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return;
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 1000); /* out of the way of programs that expect low fds */
        if (high >= 0)
            close(fd), fd = high;
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
        state = ON;
        write_all(fd, &h, sizeof h);
        return;
    }
}

static void note_caller(uint64_t c)
{
    if (c == 0 || ncallers >= CALLERS / 2)
        return;
    size_t i = (size_t)((c * 0x9E3779B97F4A7C15u) >> 48) & (CALLERS - 1);
    while (callers[i] != 0 && callers[i] != c)
        i = (i + 1) & (CALLERS - 1);
    if (callers[i] == 0)
        callers[i] = c, ncallers++;
}

/* The slack of a block glibc handed out (malloc_usable_size minus the
 * bytes asked for) and its chunk's flags, read from glibc's chunk header
 * (the size word before the block: bit 1 mmapped, bit 2 not the main
 * arena). */
static void chunk_facts(record_raw_event *e, size_t asked)
{
    if (e->ptr == 0)
        return;
    /* what glibc's malloc_usable_size computes, without its checks (a
     * twentieth of the recorder's time): the chunk's size less its size
     * word, less the prev_size word too for an mmapped chunk */
    size_t word = ((const size_t *)(uintptr_t)e->ptr)[-1];
    size_t usable = (word & ~(size_t)7) - (word & 2 ? 2 : 1) * sizeof(size_t);
    e->slack = usable > asked ? (usable - asked > UINT32_MAX ? UINT32_MAX : (uint32_t)(usable - asked)) : 0;
    e->chunk = (uint8_t)((word & 2 ? RECORD_CHUNK_MMAPPED : 0) | (word & 4 ? RECORD_CHUNK_NON_MAIN : 0));
}

/* The lock that orders the events, taken only once the process has more
 * than one thread: glibc clears __libc_single_threaded in pthread_create
 * before the new thread runs, and never sets it again. (The lock was a
 * tenth of the recorder's cost.) locked says whether unlock_events must
 * unlock: the flag may change between the two in the thread that calls
 * pthread_create, never inside a hook. */
static TLS int locked;

static void lock_events(void)
{
    locked = !__atomic_load_n(&__libc_single_threaded, __ATOMIC_RELAXED);
    if (locked)
        pthread_mutex_lock(&lock);
}

static void unlock_events(void)
{
    if (locked)
        pthread_mutex_unlock(&lock);
}

/* Every SAMPLE_EVERY-th event (and the first of each buffer) reads the
 * tick counter; the converter interpolates the others. */
#define SAMPLE_EVERY 16
static unsigned since_sample;

/* Appends one event; the lock is held. asked: the bytes a block handed
 * out was asked for (0 for frees). */
static void emit_locked(unsigned kind, const void *ptr, size_t size, uint64_t arg, const void *old,
                        const void *caller, int err, size_t asked)
{
    if (state == OFF_UNSET)
        open_file();
    if (state != ON)
        return;
    if (my_tid == 0)
        my_tid = (uint32_t)syscall(SYS_gettid);
    record_raw_event e;
    e.ns = 0;
    if (nbuf == 0 || ++since_sample >= SAMPLE_EVERY)
        e.ns = ticks(), since_sample = 0;
    e.ptr = (uint64_t)(uintptr_t)ptr;
    e.size = size;
    e.arg = arg;
    e.old = (uint64_t)(uintptr_t)old;
    e.caller = stacks ? (uint64_t)(uintptr_t)caller : 0;
    e.tid = my_tid;
    e.kind = (uint16_t)kind;
    e.err = (uint16_t)err;
    e.slack = 0;
    e.chunk = 0;
    if (asked)
        chunk_facts(&e, asked);
    nbuf += record_raw_pack(&e, buf + nbuf);
    if (stacks)
        note_caller(e.caller);
    if (nbuf >= BUF_BYTES || unbuffered)
        flush_locked();
}

static inline __attribute__((always_inline)) void emit(unsigned kind, const void *ptr, size_t size, uint64_t arg, const void *old, const void *caller,
                 int err, size_t asked)
{
    if (__atomic_load_n(&state, __ATOMIC_RELAXED) == OFF)
        return; /* not recording (no directory, or a write failed) */
    lock_events();
    emit_locked(kind, ptr, size, arg, old, caller, err, asked);
    unlock_events();
}

#define CALLER __builtin_return_address(0)

/* Allocation entry points: the real call, then the event. */
#define ALLOC_HOOK(call, kind, size, arg, asked)                                                               \
    do {                                                                                                       \
        if (in_hook)                                                                                           \
            return call;                                                                                       \
        in_hook = 1;                                                                                           \
        void *p_ = call;                                                                                       \
        int e_ = errno;                                                                                        \
        emit(kind, p_, size, arg, NULL, CALLER, p_ ? 0 : e_, asked);                                           \
        errno = e_;                                                                                            \
        in_hook = 0;                                                                                           \
        return p_;                                                                                             \
    } while (0)

/* asked: the bytes asked for, at least 1 (malloc(0) gets a block too);
 * calloc's n * size cannot overflow when it returned a block */
EXPORT void *malloc(size_t n) { ALLOC_HOOK(__libc_malloc(n), RK_MALLOC, n, 0, n ? n : 1); }
EXPORT void *calloc(size_t n, size_t size) { ALLOC_HOOK(__libc_calloc(n, size), RK_CALLOC, size, n, n * size != 0 ? n * size : 1); }
EXPORT void *memalign(size_t a, size_t n) { ALLOC_HOOK(__libc_memalign(a, n), RK_MEMALIGN, n, a, n ? n : 1); }
/* glibc 2.36's aligned_alloc is memalign under another name */
EXPORT void *aligned_alloc(size_t a, size_t n) { ALLOC_HOOK(__libc_memalign(a, n), RK_ALIGNED_ALLOC, n, a, n ? n : 1); }
EXPORT void *valloc(size_t n) { ALLOC_HOOK(__libc_valloc(n), RK_VALLOC, n, 0, n ? n : 1); }
EXPORT void *pvalloc(size_t n) { ALLOC_HOOK(__libc_pvalloc(n), RK_PVALLOC, n, 0, n ? n : 1); }

/* realloc frees and allocates in one: the lock is held across the call. */
EXPORT void *realloc(void *old, size_t n)
{
    if (in_hook)
        return __libc_realloc(old, n);
    in_hook = 1;
    lock_events();
    void *p = __libc_realloc(old, n);
    int e = errno;
    emit_locked(RK_REALLOC, p, n, 0, old, CALLER, p ? 0 : e, n ? n : 1);
    unlock_events();
    errno = e;
    in_hook = 0;
    return p;
}

EXPORT void *reallocarray(void *old, size_t nmemb, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        if (!in_hook) {
            in_hook = 1;
            emit(RK_REALLOCARRAY, NULL, size, nmemb, old, CALLER, ENOMEM, 0);
            in_hook = 0;
        }
        errno = ENOMEM;
        return NULL;
    }
    if (in_hook)
        return __libc_realloc(old, n);
    /* the size is recorded per element: reallocarray(p, 0, s) frees as realloc(p, 0) does */
    in_hook = 1;
    lock_events();
    void *p = __libc_realloc(old, n);
    int e = errno;
    emit_locked(RK_REALLOCARRAY, p, size, nmemb, old, CALLER, p ? 0 : e, n ? n : 1);
    unlock_events();
    errno = e;
    in_hook = 0;
    return p;
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
    if (!in_hook) {
        in_hook = 1;
        emit(RK_POSIX_MEMALIGN, p, n, a, NULL, CALLER, rc, n ? n : 1);
        in_hook = 0;
    }
    if (rc == 0)
        *res = p;
    errno = saved;
    return rc;
}

/* Frees: the event first, then the real free. */
static void free_hook(void *p, unsigned kind, size_t size, size_t align, const void *caller)
{
    if (in_hook) {
        __libc_free(p);
        return;
    }
    in_hook = 1;
    int e = errno;
    emit(kind, p, size, align, NULL, caller, 0, 0);
    __libc_free(p);
    errno = e;
    in_hook = 0;
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
    int f = open(sym, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
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
    close(f);
}

/* Everything out; later events are written one by one. */
static void finish(void)
{
    if (state == ON && (uint32_t)getpid() != file_pid)
        return; /* a vfork child leaving by _exit: the memory and the buffer are its parent's */
    int was = in_hook;
    in_hook = 1;
    pthread_mutex_lock(&lock);
    flush_locked();
    unbuffered = 1;
    write_symbols();
    pthread_mutex_unlock(&lock);
    in_hook = was;
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
    int was = in_hook;
    in_hook = 1;
    void *f = dlsym(RTLD_NEXT, name);
    in_hook = was;
    return f;
}

static void before_exec(void)
{
    int e = errno;
    pthread_mutex_lock(&lock);
    flush_locked();
    pthread_mutex_unlock(&lock);
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
    if (pthread_mutex_trylock(&lock) == 0) {
        flush_locked();
        pthread_mutex_unlock(&lock);
    } else {
        flush_locked();
    }
    errno = e;
    raise(sig);
}

static void before_fork(void)
{
    pthread_mutex_lock(&lock);
    flush_locked();
}

static void after_fork_parent(void) { pthread_mutex_unlock(&lock); }

static void after_fork_child(void)
{
    if (fd >= 0)
        close(fd);
    fd = -1;
    nbuf = 0;
    my_tid = 0;
    memset(callers, 0, sizeof callers);
    ncallers = 0;
    if (state == ON)
        state = OFF_UNSET; /* the child's own file at its first call */
    pthread_mutex_unlock(&lock);
}

__attribute__((constructor)) static void at_start(void)
{
    if (getenv("ALLOCSCOPE_RECORD_DIR") == NULL)
        return;
    pthread_mutex_lock(&lock);
    if (state == OFF_UNSET)
        open_file(); /* now, so a program that never allocates still shows it was recorded */
    pthread_mutex_unlock(&lock);
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
