/*
 * The Linux side of the host-socket helper (winhttp_host.so): TCP sockets
 * for winhttp.dll, one unix call per operation, so that sending or
 * receiving costs a system call and no wineserver round trip.
 *
 * Wine loads this file beside winhttp_host.dll (a builtin-stamped PE) and
 * calls __wine_unix_call_funcs[code](args) from whatever PE thread asked.
 * Everything here trusts nothing from the PE side but the args block
 * itself: handles are checked against a generation count, kinds and lengths
 * against their limits, and caller buffers are only ever handed to the
 * kernel (a bad pointer is EFAULT, never a crash here).
 *
 * Asynchronous operations: one epoll set for the process.  An operation is
 * tried at once (non-blocking); if it cannot move it is parked in its slot
 * and the socket armed EPOLLONESHOT; a worker thread of winhttp.dll waits
 * in HOST_CALL_WAIT, retries the parked operations of the socket that woke
 * it and returns one completion.  Cancellations complete through a ready
 * list and an eventfd that wakes a worker, never inside the cancelling call.
 *
 * Locks: table_lock (slot allocation) and ready_lock are leaves; a slot's
 * lock is taken alone or before ready_lock.  No lock is held across a
 * blocking system call.  Finding a slot takes no lock (chunks are
 * published before slot_count, with release/acquire ordering, and never
 * freed), and the blocking send and receive take none at all: they read
 * the slot's open handle and descriptor atomically (handle_fd).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host_abi.h"

typedef int32_t NTSTATUS;
typedef NTSTATUS (*unixlib_entry_t)(void *args);

struct op
{
    int active;
    uint32_t kind;
    uint64_t buf;
    uint64_t len;
    uint64_t tag;
};

struct slot
{
    pthread_mutex_t lock;
    uint32_t gen;                 /* bumped on close: stale handles miss */
    int in_use;
    int fd;                       /* written under lock, also read atomically by handle_fd */
    uint64_t open_handle;         /* the slot's handle while open, else 0 (same) */
    int registered;               /* in the epoll set */
    int32_t connect_error;        /* HOST_CONNECT_START failed at once: HOST_OP_CONNECT reports it */
    struct op rop;                /* RECV or WAIT */
    struct op sop;                /* SEND or CONNECT */
};

#define CHUNK_SLOTS 1024
#define MAX_CHUNKS  128           /* 131,072 sockets */

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot *chunks[MAX_CHUNKS];
static uint32_t slot_count;       /* slots allocated (chunks * CHUNK_SLOTS); read without the lock */
static uint32_t *free_list;       /* indices of unused slots */
static uint32_t free_count;

static pthread_once_t epoll_once = PTHREAD_ONCE_INIT;
static int epoll_fd = -1;
static int wake_fd = -1;          /* eventfd: the ready list has entries */

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_completion *ready;
static size_t ready_head, ready_count, ready_size;

#define WAKE_TAG 0                /* epoll data of wake_fd; handles are never 0 */

static struct slot *slot_at(uint32_t index)
{
    return &chunks[index / CHUNK_SLOTS][index % CHUNK_SLOTS];
}

static uint64_t slot_handle(uint32_t index, const struct slot *slot)
{
    return ((uint64_t)slot->gen << 32) | (index + 1);
}

/* A new slot for fd, or 0 when the table is full. */
static uint64_t alloc_slot(int fd)
{
    struct slot *slot;
    uint32_t index, i;
    uint64_t handle;

    pthread_mutex_lock(&table_lock);
    if (!free_count)
    {
        struct slot *chunk;
        uint32_t *list;

        if (slot_count / CHUNK_SLOTS >= MAX_CHUNKS
            || !(chunk = calloc(CHUNK_SLOTS, sizeof(*chunk))))
        {
            pthread_mutex_unlock(&table_lock);
            return 0;
        }
        if (!(list = realloc(free_list, (slot_count + CHUNK_SLOTS) * sizeof(*list))))
        {
            free(chunk);
            pthread_mutex_unlock(&table_lock);
            return 0;
        }
        free_list = list;
        for (i = 0; i < CHUNK_SLOTS; i++)
        {
            pthread_mutex_init(&chunk[i].lock, NULL);
            chunk[i].fd = -1;
        }
        chunks[slot_count / CHUNK_SLOTS] = chunk;
        /* lowest index on top */
        for (i = CHUNK_SLOTS; i > 0; i--) free_list[free_count++] = slot_count + i - 1;
        /* the chunk is complete before any reader can see its indices */
        __atomic_store_n(&slot_count, slot_count + CHUNK_SLOTS, __ATOMIC_RELEASE);
    }
    index = free_list[--free_count];
    slot = slot_at(index);
    pthread_mutex_lock(&slot->lock);
    slot->in_use = 1;
    __atomic_store_n(&slot->fd, fd, __ATOMIC_RELAXED);
    slot->registered = 0;
    slot->connect_error = HOST_OK;
    memset(&slot->rop, 0, sizeof(slot->rop));
    memset(&slot->sop, 0, sizeof(slot->sop));
    handle = slot_handle(index, slot);
    __atomic_store_n(&slot->open_handle, handle, __ATOMIC_RELEASE);  /* after fd */
    pthread_mutex_unlock(&slot->lock);
    pthread_mutex_unlock(&table_lock);
    return handle;
}

/* The slot handle names, if it was ever allocated; not locked. */
static struct slot *find_slot(uint64_t handle)
{
    uint32_t index = (uint32_t)handle - 1;

    if ((uint32_t)handle == 0 || index >= __atomic_load_n(&slot_count, __ATOMIC_ACQUIRE)) return NULL;
    return slot_at(index);
}

/* The slot of handle, locked; NULL for a handle that is not open. */
static struct slot *lock_slot(uint64_t handle)
{
    struct slot *slot = find_slot(handle);

    if (!slot) return NULL;
    pthread_mutex_lock(&slot->lock);
    if (!slot->in_use || slot->gen != (uint32_t)(handle >> 32))
    {
        pthread_mutex_unlock(&slot->lock);
        return NULL;
    }
    return slot;
}

/* The descriptor of handle for a blocking call; -1 when the handle is not
 * open.  No lock: every send and receive comes here.  A handle closed on
 * another thread meanwhile is the PE side's error (net.h: nothing in flight
 * at close) and yields -1 or a descriptor that is no longer ours, as it
 * would if the close came right after a locked look-up. */
static int handle_fd(uint64_t handle)
{
    struct slot *slot = find_slot(handle);

    if (!slot || __atomic_load_n(&slot->open_handle, __ATOMIC_ACQUIRE) != handle) return -1;
    return __atomic_load_n(&slot->fd, __ATOMIC_RELAXED);
}

static int32_t map_errno(int err)
{
    switch (err)
    {
    case EAGAIN:
        return HOST_E_TIMEOUT;
    case ENOMEM:
    case ENOBUFS:
        return HOST_E_NO_MEMORY;
    case EFAULT:
    case EINVAL:
    case EBADF:
    case ENOTSOCK:
        return HOST_E_INVALID;
    default:
        return HOST_E_CONNECTION;
    }
}

/* Windows sockaddr -> Linux sockaddr: only the family value differs. */
static int to_unix_addr(const uint8_t *addr, uint32_t len, struct sockaddr_storage *out, socklen_t *out_len)
{
    uint16_t family;

    if (len < 2 || len > HOST_ADDR_MAX) return 0;
    memcpy(&family, addr, 2);
    memset(out, 0, sizeof(*out));
    if (family == HOST_AF_INET && len >= sizeof(struct sockaddr_in))
    {
        memcpy(out, addr, sizeof(struct sockaddr_in));
        *out_len = sizeof(struct sockaddr_in);
        out->ss_family = AF_INET;
        return 1;
    }
    if (family == HOST_AF_INET6 && len >= sizeof(struct sockaddr_in6))
    {
        memcpy(out, addr, sizeof(struct sockaddr_in6));
        *out_len = sizeof(struct sockaddr_in6);
        out->ss_family = AF_INET6;
        return 1;
    }
    return 0;
}

static uint32_t to_host_addr(const struct sockaddr_storage *sa, uint8_t *addr)
{
    uint16_t family;
    uint32_t len;

    memset(addr, 0, HOST_ADDR_MAX);
    if (sa->ss_family == AF_INET) family = HOST_AF_INET, len = sizeof(struct sockaddr_in);
    else if (sa->ss_family == AF_INET6) family = HOST_AF_INET6, len = sizeof(struct sockaddr_in6);
    else return 0;
    memcpy(addr, sa, len);
    memcpy(addr, &family, 2);
    return len;
}

static void set_nonblocking(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags != -1) fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

/* Waits for fd's events up to timeout ms (< 0: forever); 0 on timeout. */
static int poll_fd(int fd, short events, int timeout)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    int ret;

    /* Wine's signals (thread suspension) interrupt the wait: start over. */
    while ((ret = poll(&pfd, 1, timeout)) < 0 && errno == EINTR) ;
    return ret;
}

/* After a non-blocking connect became writable: did it connect? */
static int32_t connect_result(int fd)
{
    int so_error = 0;
    socklen_t len = sizeof(so_error);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) || so_error) return HOST_E_CANNOT_CONNECT;
    set_nonblocking(fd, 0);
    return HOST_OK;
}

static NTSTATUS host_version(void *args)
{
    struct host_version_args *params = args;

    params->magic = HOST_ABI_MAGIC;
    params->version = HOST_ABI_VERSION;
    params->call_count = HOST_CALL_COUNT;
    return 0;
}

static void set_connect_error(uint64_t handle, int32_t error)
{
    struct slot *slot = lock_slot(handle);

    slot->connect_error = error;
    pthread_mutex_unlock(&slot->lock);
}

static NTSTATUS host_connect(void *args)
{
    struct host_connect_args *params = args;
    struct sockaddr_storage sa;
    socklen_t sa_len;
    int fd, one = 1, wait = params->timeout_ms > 0 || params->timeout_ms == HOST_CONNECT_START;
    /* wait: non-blocking connect, then poll (a blocking connect has no timeout) */

    params->handle = 0;
    if (!to_unix_addr(params->addr, params->addr_len, &sa, &sa_len))
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    if ((fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP)) < 0)
    {
        params->error = HOST_E_CANNOT_CONNECT;
        return 0;
    }
    /* Small messages must leave at once, as on the Winsock path. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (wait) set_nonblocking(fd, 1);
    params->error = HOST_OK;
    if (params->timeout_ms == HOST_CONNECT_START)
    {
        /* Even a connection refused at once completes through HOST_OP_CONNECT,
         * as ConnectEx's does on the Winsock path. */
        int32_t error = HOST_OK;

        params->error = HOST_E_PENDING;
        if (connect(fd, (struct sockaddr *)&sa, sa_len) && errno != EINPROGRESS) error = HOST_E_CANNOT_CONNECT;
        if (!(params->handle = alloc_slot(fd)))
        {
            close(fd);
            params->error = HOST_E_NO_MEMORY;
        }
        else if (error) set_connect_error(params->handle, error);
        return 0;
    }
    if (connect(fd, (struct sockaddr *)&sa, sa_len))
    {
        if (errno == EINPROGRESS || errno == EINTR)
        {
            int ready = poll_fd(fd, POLLOUT, wait ? params->timeout_ms : -1);
            if (!ready) params->error = HOST_E_TIMEOUT;
            else if (ready < 0) params->error = HOST_E_CANNOT_CONNECT;
            else params->error = connect_result(fd);
        }
        else params->error = HOST_E_CANNOT_CONNECT;
    }
    else if (wait) set_nonblocking(fd, 0);
    if (params->error != HOST_OK)
    {
        close(fd);
        return 0;
    }
    if (!(params->handle = alloc_slot(fd)))
    {
        close(fd);
        params->error = HOST_E_NO_MEMORY;
    }
    return 0;
}

static void push_ready(uint64_t tag, int32_t error, uint64_t done)
{
    static const uint64_t one = 1;
    struct host_completion *c;

    pthread_mutex_lock(&ready_lock);
    if (ready_count == ready_size)
    {
        size_t size = ready_size ? ready_size * 2 : 64, i;
        struct host_completion *grown = malloc(size * sizeof(*grown));

        if (!grown)
        {
            /* Cannot happen in practice; losing a completion would hang its owner. */
            pthread_mutex_unlock(&ready_lock);
            abort();
        }
        for (i = 0; i < ready_count; i++) grown[i] = ready[(ready_head + i) % ready_size];
        free(ready);
        ready = grown;
        ready_size = size;
        ready_head = 0;
    }
    c = &ready[(ready_head + ready_count++) % ready_size];
    c->tag = tag;
    c->error = error;
    c->done = done;
    c->pad = 0;
    pthread_mutex_unlock(&ready_lock);
    if (write(wake_fd, &one, sizeof(one)) < 0) { /* already signalled: the counter is non-zero */ }
}

static int pop_ready(struct host_completion *out)
{
    int found = 0;

    pthread_mutex_lock(&ready_lock);
    if (ready_count)
    {
        *out = ready[ready_head];
        ready_head = (ready_head + 1) % ready_size;
        ready_count--;
        found = 1;
    }
    pthread_mutex_unlock(&ready_lock);
    return found;
}

/* Re-arms the slot's one-shot registration for what its operations wait on. */
static void arm(struct slot *slot, uint64_t handle)
{
    struct epoll_event ev;

    /* Nothing parked: leave it disarmed.  (Re-arming with no events would
     * still report EPOLLHUP, again and again, on a socket shut down.)  A
     * registration still armed for an operation gone since fires once more
     * and finds nothing to do. */
    if (!slot->rop.active && !slot->sop.active) return;
    ev.events = EPOLLONESHOT;
    if (slot->rop.active) ev.events |= EPOLLIN | EPOLLRDHUP;
    if (slot->sop.active) ev.events |= EPOLLOUT;
    ev.data.u64 = handle;
    if (!slot->registered)
    {
        if (!epoll_ctl(epoll_fd, EPOLL_CTL_ADD, slot->fd, &ev)) slot->registered = 1;
        return;
    }
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, slot->fd, &ev);
}

/* Tries op once without blocking: HOST_E_PENDING when it cannot move. */
static int32_t try_op(struct slot *slot, struct op *op, uint64_t *done)
{
    ssize_t ret;
    char byte;

    *done = 0;
    for (;;)
    {
        switch (op->kind)
        {
        case HOST_OP_RECV:
            ret = recv(slot->fd, (void *)(uintptr_t)op->buf, op->len, MSG_DONTWAIT);
            break;
        case HOST_OP_WAIT:
            ret = recv(slot->fd, &byte, 1, MSG_DONTWAIT | MSG_PEEK);
            if (ret > 0) ret = 0;
            break;
        case HOST_OP_SEND:
            ret = send(slot->fd, (const void *)(uintptr_t)op->buf, op->len, MSG_DONTWAIT | MSG_NOSIGNAL);
            break;
        case HOST_OP_CONNECT:
            if (slot->connect_error) return slot->connect_error;
            if (poll_fd(slot->fd, POLLOUT, 0) <= 0) return HOST_E_PENDING;
            return connect_result(slot->fd);
        default:
            return HOST_E_INVALID;
        }
        if (ret >= 0)
        {
            *done = (uint64_t)ret;
            return HOST_OK;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return HOST_E_PENDING;
        return map_errno(errno) == HOST_E_TIMEOUT ? HOST_E_CONNECTION : map_errno(errno);
    }
}

static void init_epoll(void)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = WAKE_TAG };

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd >= 0 && wake_fd >= 0 && !epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev)) return;
    if (epoll_fd >= 0) close(epoll_fd);
    if (wake_fd >= 0) close(wake_fd);
    epoll_fd = wake_fd = -1;
}

/* A NULL buffer with a length is refused here rather than given to the
 * kernel: the call would only fail with EFAULT, but tools that check each
 * system call's memory (Valgrind) count it as an error of ours. */
static int null_buffer(uint64_t buf, uint64_t len)
{
    return !buf && len;
}

static NTSTATUS host_submit(void *args)
{
    struct host_submit_args *params = args;
    struct slot *slot;
    struct op *op;

    params->done = 0;
    pthread_once(&epoll_once, init_epoll);
    if (epoll_fd < 0)
    {
        params->error = HOST_E_NO_MEMORY;
        return 0;
    }
    if (params->kind >= HOST_OP_KIND_COUNT || params->len > HOST_IO_MAX || null_buffer(params->buf, params->len)
        || (params->kind == HOST_OP_SEND && !params->len) || !(slot = lock_slot(params->handle)))
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    op = (params->kind == HOST_OP_RECV || params->kind == HOST_OP_WAIT) ? &slot->rop : &slot->sop;
    if (op->active)
    {
        params->error = HOST_E_INVALID;  /* one at a time per direction */
        pthread_mutex_unlock(&slot->lock);
        return 0;
    }
    op->kind = params->kind;
    op->buf = params->buf;
    op->len = params->len;
    op->tag = params->tag;
    if ((params->error = try_op(slot, op, &params->done)) == HOST_E_PENDING)
    {
        op->active = 1;
        arm(slot, params->handle);
    }
    pthread_mutex_unlock(&slot->lock);
    return 0;
}

/* A worker: the next completion, from the ready list or a socket. */
static NTSTATUS host_wait(void *args)
{
    struct host_wait_args *params = args;
    struct epoll_event ev;
    struct slot *slot;
    int ret;

    params->count = 0;
    pthread_once(&epoll_once, init_epoll);
    if (epoll_fd < 0) return 0;
    for (;;)
    {
        struct op *ops[2];
        int i;

        if (pop_ready(&params->completion))
        {
            params->count = 1;
            return 0;
        }
        ret = epoll_wait(epoll_fd, &ev, 1, params->timeout_ms < 0 ? -1 : params->timeout_ms);
        if (ret < 0 && errno == EINTR) continue;
        if (ret <= 0) return 0;
        if (ev.data.u64 == WAKE_TAG)
        {
            uint64_t value;
            if (read(wake_fd, &value, sizeof(value)) < 0) { /* another worker took it */ }
            continue;
        }
        if (!(slot = lock_slot(ev.data.u64))) continue;  /* closed meanwhile */
        ops[0] = &slot->rop;
        ops[1] = &slot->sop;
        for (i = 0; i < 2; i++)
        {
            uint64_t done;
            int32_t error;

            if (!ops[i]->active || (error = try_op(slot, ops[i], &done)) == HOST_E_PENDING) continue;
            ops[i]->active = 0;
            if (!params->count)
            {
                params->completion.tag = ops[i]->tag;
                params->completion.error = error;
                params->completion.done = done;
                params->completion.pad = 0;
                params->count = 1;
            }
            else push_ready(ops[i]->tag, error, done);  /* both directions moved: the other for another worker */
        }
        arm(slot, ev.data.u64);
        pthread_mutex_unlock(&slot->lock);
        if (params->count) return 0;
    }
}

static NTSTATUS host_cancel(void *args)
{
    struct host_handle_args *params = args;
    struct slot *slot = lock_slot(params->handle);

    if (!slot)
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    /* Blocked calls on other threads return (EOF or EPIPE). */
    shutdown(slot->fd, SHUT_RDWR);
    if (slot->rop.active) push_ready(slot->rop.tag, HOST_E_CANCELLED, 0);
    if (slot->sop.active) push_ready(slot->sop.tag, HOST_E_CANCELLED, 0);
    slot->rop.active = slot->sop.active = 0;
    pthread_mutex_unlock(&slot->lock);
    params->error = HOST_OK;
    return 0;
}

static NTSTATUS host_shutdown(void *args)
{
    struct host_handle_args *params = args;
    int fd = handle_fd(params->handle);

    if (fd < 0 || (params->how != HOST_SHUT_SEND && params->how != HOST_SHUT_BOTH))
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    shutdown(fd, params->how == HOST_SHUT_SEND ? SHUT_WR : SHUT_RDWR);
    params->error = HOST_OK;
    return 0;
}

static NTSTATUS host_close(void *args)
{
    struct host_handle_args *params = args;
    struct slot *slot = lock_slot(params->handle);
    uint32_t index = (uint32_t)params->handle - 1;

    if (!slot)
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    /* Nothing may be in flight (net_close's contract); whatever is, is dropped. */
    if (slot->registered) epoll_ctl(epoll_fd, EPOLL_CTL_DEL, slot->fd, NULL);
    __atomic_store_n(&slot->open_handle, 0, __ATOMIC_RELEASE);
    close(slot->fd);
    __atomic_store_n(&slot->fd, -1, __ATOMIC_RELAXED);
    slot->in_use = 0;
    slot->rop.active = slot->sop.active = 0;
    slot->gen++;
    pthread_mutex_unlock(&slot->lock);
    pthread_mutex_lock(&table_lock);
    free_list[free_count++] = index;
    pthread_mutex_unlock(&table_lock);
    params->error = HOST_OK;
    return 0;
}

static void set_timeout(int fd, int option, int32_t ms)
{
    struct timeval tv = { 0, 0 };

    if (ms > 0)
    {
        tv.tv_sec = ms / 1000;
        tv.tv_usec = (ms % 1000) * 1000;
    }
    setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

static NTSTATUS host_timeouts(void *args)
{
    struct host_timeouts_args *params = args;
    int fd = handle_fd(params->handle);

    if (fd < 0)
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    set_timeout(fd, SO_SNDTIMEO, params->send_ms);
    set_timeout(fd, SO_RCVTIMEO, params->recv_ms);
    params->error = HOST_OK;
    return 0;
}

/* Blocking (or HOST_IO_NOWAIT) send and receive from the calling thread. */
static NTSTATUS host_io(struct host_io_args *params, int is_send)
{
    int fd = handle_fd(params->handle), flags = MSG_NOSIGNAL;
    ssize_t ret;

    params->done = 0;
    if (fd < 0 || params->len > HOST_IO_MAX || null_buffer(params->buf, params->len)
        || (params->flags & ~(HOST_IO_NOWAIT | HOST_IO_PEEK)))
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    if (params->flags & HOST_IO_NOWAIT) flags |= MSG_DONTWAIT;
    if (!is_send && (params->flags & HOST_IO_PEEK)) flags |= MSG_PEEK;
    do
    {
        if (is_send) ret = send(fd, (const void *)(uintptr_t)params->buf, params->len, flags);
        else ret = recv(fd, (void *)(uintptr_t)params->buf, params->len, flags);
    } while (ret < 0 && errno == EINTR);
    if (ret >= 0)
    {
        params->done = (uint64_t)ret;
        params->error = HOST_OK;
    }
    else if ((errno == EAGAIN || errno == EWOULDBLOCK) && (params->flags & HOST_IO_NOWAIT))
        params->error = HOST_E_PENDING;
    else params->error = map_errno(errno);
    return 0;
}

static NTSTATUS host_send(void *args)
{
    return host_io(args, 1);
}

static NTSTATUS host_recv(void *args)
{
    return host_io(args, 0);
}

static NTSTATUS host_poll(void *args)
{
    struct host_poll_args *params = args;
    int fd = handle_fd(params->handle), ret;

    if (fd < 0)
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    ret = poll_fd(fd, POLLIN, params->timeout_ms < 0 ? -1 : params->timeout_ms);
    params->error = ret > 0 ? HOST_OK : ret == 0 ? HOST_E_TIMEOUT : HOST_E_CONNECTION;
    return 0;
}

static NTSTATUS host_address(void *args)
{
    struct host_address_args *params = args;
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    int fd = handle_fd(params->handle);

    memset(params->addr, 0, sizeof(params->addr));
    params->addr_len = 0;
    if (fd < 0)
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    if (getsockname(fd, (struct sockaddr *)&sa, &len) || !(params->addr_len = to_host_addr(&sa, params->addr)))
        params->error = HOST_E_CONNECTION;
    else params->error = HOST_OK;
    return 0;
}

/* The websocket masks' pool (random.c): all of it in one system call. */
static NTSTATUS host_random(void *args)
{
    struct host_random_args *params = args;
    uint8_t *buf = (uint8_t *)(uintptr_t)params->buf;
    size_t done = 0;
    ssize_t ret;

    if (params->len > HOST_RANDOM_MAX || null_buffer(params->buf, params->len))
    {
        params->error = HOST_E_INVALID;
        return 0;
    }
    /* up to 256 bytes never come back short; more may, on a signal */
    while (done < params->len)
    {
        if ((ret = getrandom(buf + done, params->len - done, 0)) > 0) done += ret;
        else if (!ret || errno != EINTR) break;
    }
    params->error = done == params->len ? HOST_OK : HOST_E_INVALID;
    return 0;
}

__attribute__((visibility("default"))) const unixlib_entry_t __wine_unix_call_funcs[] =
{
    host_version,
    host_connect,
    host_close,
    host_shutdown,
    host_cancel,
    host_timeouts,
    host_send,
    host_recv,
    host_poll,
    host_address,
    host_submit,
    host_wait,
    host_random,
};

_Static_assert(sizeof(__wine_unix_call_funcs) / sizeof(__wine_unix_call_funcs[0]) == HOST_CALL_COUNT,
               "one function per call code");
