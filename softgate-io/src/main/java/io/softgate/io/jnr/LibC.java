package io.softgate.io.jnr;

/**
 * The C library functions the native backends call through JNR-FFI. Pointers are passed as raw
 * addresses ({@code long}) of off-heap memory the caller owns, so no call allocates or copies.
 * Only {@link #read}, {@link #write}, {@link #sendto} and {@link #recvfrom} are ever called while
 * packets flow (TUN per packet, AF_XDP once per batch and only when the kernel asks for a kick);
 * everything else is setup and teardown.
 *
 * <p>Threading: the functions are thread-safe as the C library defines them; the errno read after
 * a call belongs to the calling thread.
 */
public interface LibC {
    int open(String path, int flags);

    int close(int fd);

    long read(int fd, long buffer, long count);

    long write(int fd, long buffer, long count);

    int ioctl(int fd, long request, long argument);

    int socket(int domain, int type, int protocol);

    int bind(int fd, long address, int addressLength);

    int setsockopt(int fd, int level, int option, long value, int valueLength);

    int getsockopt(int fd, int level, int option, long value, long valueLengthAddress);

    long sendto(int fd, long buffer, long length, int flags, long address, int addressLength);

    long recvfrom(int fd, long buffer, long length, int flags, long address, long addressLengthAddress);

    long mmap(long address, long length, int protection, int flags, int fd, long offset);

    int munmap(long address, long length);

    long syscall(long number, long first, long second, long third);

    int setns(int fd, int namespaceType);

    int if_nametoindex(String name);

    String strerror(int errno);

    /** Pins a thread ({@code pid} 0 = the caller) to the CPUs in the mask at {@code maskAddress}. */
    int sched_setaffinity(int pid, long maskBytes, long maskAddress);
}
