/*
 * plugin_proto.h - the messages between the plugin supervisor (plugin.c)
 * and the child process that runs a plugin (plugin_child.c). Private to
 * the library.
 *
 * Over a SOCK_STREAM socketpair: the child first sends one hello (a
 * proto_resp whose status is a plugin_status, text the detail or, on
 * success, the plugin's name); then, for each proto_req, one proto_resp,
 * followed for PLUGIN_OP_DESCRIBE by `count` proto_span records. Pointers
 * travel as raw addresses: the region is mapped at the same address on
 * both sides (the child inherits the mapping through fork).
 */
#ifndef ALLOCSCOPE_PLUGIN_PROTO_H
#define ALLOCSCOPE_PLUGIN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_HAS_DESCRIBE 1u
#define PROTO_HAS_CHECK 2u
#define PROTO_TRUNCATED 4u       /* describe: more spans than PROTO_MAX_SPANS */
#define PROTO_MAX_SPANS (1u << 20)

typedef struct proto_req {
    uint32_t op;          /* plugin_op */
    uint32_t align_log2;
    uint64_t ptr;
    uint64_t len;
    uint64_t new_len;
} proto_req;

typedef struct proto_resp {
    uint32_t status;      /* hello: plugin_status; check: 1 iff text is a broken invariant */
    uint32_t flags;       /* hello: PROTO_HAS_*; describe: PROTO_TRUNCATED */
    uint64_t result;      /* alloc / remap: the address; resize: 0 or 1 */
    uint64_t count;       /* describe: the spans that follow */
    char text[200];
} proto_resp;

typedef struct proto_span {
    uint64_t offset;
    uint64_t len;
    uint32_t kind;        /* asp_span_kind */
    uint32_t unused;
} proto_span;

/* Runs in the child after fork: loads path, answers hello, then serves
 * requests on sock until it is closed; never returns. out_fd receives the
 * plugin's stdout and stderr. */
_Noreturn void plugin_child_main(int sock, int out_fd, const char *path, unsigned char *region,
                                 size_t size, const char *options);

#endif
