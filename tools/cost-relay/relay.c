/*
 * cost-relay: a TCP relay whose work per message is exact and adjustable (issue 18).
 *
 *   relay --listen 127.0.0.1:PORT --upstream HOST:PORT [--loops N] [--extra-syscall]
 *
 * Forks one process per connection and copies bytes both ways with poll(). For every read that
 * returned data (a "message") it runs N iterations of a loop the compiler cannot remove, and with
 * --extra-syscall makes one real getppid() system call (syscall(SYS_getppid), which glibc cannot
 * cache). The test suite and the sensitivity script use it as a proxy with a known cost: its
 * instructions per transaction move by exactly N x (instructions per iteration) x messages.
 * Loopback only: it refuses to listen on anything but 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long loops = 0;
static int extra_syscall = 0;
static volatile sig_atomic_t stopping = 0;

static void on_stop(int sig) {
  (void)sig;
  stopping = 1;
}

/* The fixed work per message: an empty asm with a memory clobber keeps every iteration. */
static void work(void) {
  for (long i = 0; i < loops; i++) __asm__ __volatile__("" ::: "memory");
  if (extra_syscall) (void)syscall(SYS_getppid);
}

static int split_hostport(const char *arg, char *host, size_t hostlen, int *port) {
  const char *colon = strrchr(arg, ':');
  if (!colon || (size_t)(colon - arg) >= hostlen) return -1;
  memcpy(host, arg, (size_t)(colon - arg));
  host[colon - arg] = '\0';
  *port = atoi(colon + 1);
  return *port > 0 && *port < 65536 ? 0 : -1;
}

static int connect_upstream(const char *host, int port) {
  struct addrinfo hints = {0}, *res = NULL;
  char portstr[16];
  snprintf(portstr, sizeof portstr, "%d", port);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, portstr, &hints, &res) != 0 || !res) return -1;
  int fd = socket(res->ai_family, SOCK_STREAM, 0);
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

/* Copies one readable side to the other; returns 0 at EOF or error. */
static int pump(int from, int to, char *buf, size_t len) {
  ssize_t n = read(from, buf, len);
  if (n <= 0) return 0;
  work();
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(to, buf + off, (size_t)(n - off));
    if (w <= 0) return 0;
    off += w;
  }
  return 1;
}

static void serve(int client, const char *uhost, int uport) {
  int up = connect_upstream(uhost, uport);
  if (up < 0) _exit(1);
  static char buf[65536];
  struct pollfd fds[2] = {{client, POLLIN, 0}, {up, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !pump(client, up, buf, sizeof buf)) break;
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !pump(up, client, buf, sizeof buf)) break;
  }
  close(up);
  close(client);
  _exit(0);
}

static int listen_on(const char *host, int port) {
  if (strcmp(host, "127.0.0.1") != 0) {
    fprintf(stderr, "relay: listens on 127.0.0.1 only (got %s)\n", host);
    exit(2);
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 512) != 0) {
    perror("relay: bind/listen");
    exit(1);
  }
  return fd;
}

static void usage(void) {
  fprintf(stderr, "usage: relay --listen 127.0.0.1:PORT --upstream HOST:PORT [--loops N] [--extra-syscall]\n");
  exit(2);
}

int main(int argc, char **argv) {
  char lhost[64] = "", uhost[256] = "";
  int lport = 0, uport = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
      if (split_hostport(argv[++i], lhost, sizeof lhost, &lport)) usage();
    } else if (!strcmp(argv[i], "--upstream") && i + 1 < argc) {
      if (split_hostport(argv[++i], uhost, sizeof uhost, &uport)) usage();
    } else if (!strcmp(argv[i], "--loops") && i + 1 < argc) {
      char *end = NULL;
      loops = strtol(argv[++i], &end, 10);
      if (*end || loops < 0) usage();
    } else if (!strcmp(argv[i], "--extra-syscall")) {
      extra_syscall = 1;
    } else {
      usage();
    }
  }
  if (!lport || !uport) usage();
  int lfd = listen_on(lhost, lport);
  struct sigaction sa = {0};
  sa.sa_handler = on_stop; /* no SA_RESTART: accept() returns EINTR and the loop ends */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
  fprintf(stderr, "relay: listening on %s:%d -> %s:%d, loops %ld, extra syscall %s\n", lhost, lport, uhost,
          uport, loops, extra_syscall ? "yes" : "no");
  while (!stopping) {
    int c = accept(lfd, NULL, NULL);
    if (c < 0) continue;
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pid_t pid = fork();
    if (pid == 0) {
      close(lfd);
      signal(SIGTERM, SIG_DFL);
      signal(SIGINT, SIG_DFL);
      serve(c, uhost, uport);
    }
    close(c);
  }
  close(lfd);
  return 0;
}
