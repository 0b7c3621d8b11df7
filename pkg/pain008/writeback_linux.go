//go:build linux && (amd64 || arm64)

package pain008

import (
	"io"
	"syscall"
)

// startWriteback asks the kernel to start writing the n bytes of w from
// off to disk (sync_file_range with SYNC_FILE_RANGE_WRITE), without
// waiting for them, when w is a file; anything else is left alone. What
// the disk takes while the rest is rendered is not waited for at fsync.
func startWriteback(w io.Writer, off, n int64) {
	sc, ok := w.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	const syncFileRangeWrite = 2 // SYNC_FILE_RANGE_WRITE
	rc.Control(func(fd uintptr) {
		syscall.Syscall6(syscall.SYS_SYNC_FILE_RANGE, fd, uintptr(off), uintptr(n), syncFileRangeWrite, 0, 0)
	})
}
