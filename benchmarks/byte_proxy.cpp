// A byte-counting TCP proxy for run_fleet.sh: listens on 127.0.0.1 and forwards every connection to one
// upstream server (a PostgreSQL shard), counting the bytes each way, so that the traffic between the
// coordinator (or a direct reader) and a shard can be measured. Two threads a connection, blocking I/O (no
// flow-control deadlock whatever the protocol does).
//
// usage: byte_proxy UPSTREAM_HOST UPSTREAM_PORT STATS_FILE
// prints the port it listens on (one line, then stdout is closed); STATS_FILE is rewritten (whole, by
// rename) whenever a connection starts or ends (so that active=0 means none is open):
// `to_upstream=N from_upstream=N active=K connections=C`, cumulative since the start. `kill -TERM` ends it.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

namespace {

std::atomic<unsigned long long> to_upstream{0}, from_upstream{0};
std::atomic<int> active{0};
std::atomic<unsigned long long> connections{0};
std::mutex stats_mu;
std::string stats_file;

void write_stats() {
    std::lock_guard<std::mutex> lk(stats_mu);
    const std::string tmp = stats_file + ".tmp";
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << "to_upstream=" << to_upstream.load() << " from_upstream=" << from_upstream.load()
          << " active=" << active.load() << " connections=" << connections.load() << "\n";
    }
    std::rename(tmp.c_str(), stats_file.c_str());
}

// copies from `in` to `out` until EOF or an error, then shuts `out` down for writing
void pump(int in, int out, std::atomic<unsigned long long>& counter) {
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(in, buf, sizeof buf);
        if (n <= 0) break;
        counter += static_cast<unsigned long long>(n);
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(out, buf + done, static_cast<std::size_t>(n - done));
            if (w <= 0) {
                ::shutdown(in, SHUT_RD);
                ::shutdown(out, SHUT_WR);
                return;
            }
            done += w;
        }
    }
    ::shutdown(out, SHUT_WR);
}

int connect_upstream(const char* host, const char* port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    int fd = -1;
    for (auto* a = res; a; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        ::close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: byte_proxy UPSTREAM_HOST UPSTREAM_PORT STATS_FILE\n";
        return 2;
    }
    stats_file = argv[3];
    const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // a free port, printed
    if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 64) != 0) {
        std::perror("byte_proxy: listen");
        return 1;
    }
    socklen_t len = sizeof addr;
    ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
    write_stats();
    std::cout << ntohs(addr.sin_port) << std::endl;
    std::fclose(stdout);
    for (;;) {
        const int cfd = ::accept(lfd, nullptr, nullptr);
        if (cfd < 0) continue;
        const int ufd = connect_upstream(argv[1], argv[2]);
        if (ufd < 0) {
            ::close(cfd);
            continue;
        }
        for (int fd : {cfd, ufd}) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ++active;
        ++connections;
        write_stats();  // a reader waiting for active=0 then waits for this connection too
        std::thread([cfd, ufd] {
            std::thread back([cfd, ufd] { pump(ufd, cfd, from_upstream); });
            pump(cfd, ufd, to_upstream);
            back.join();
            ::close(cfd);
            ::close(ufd);
            --active;
            write_stats();
        }).detach();
    }
}
