// Clang's thread-safety annotations (-Wthread-safety): which mutex guards a
// member, which a function must hold or must not. Under other compilers they
// expand to nothing. Use them with quire::Mutex (mutex.h); std::mutex
// carries no annotations in libstdc++, so the analysis cannot see it.
// Abseil (through gRPC's headers) defines the same names the same way; the
// first definition stands.
// https://clang.llvm.org/docs/ThreadSafetyAnalysis.html
#pragma once

#if defined(__clang__)
#define QUIRE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define QUIRE_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (Mutex).
#ifndef CAPABILITY
#define CAPABILITY(x) QUIRE_THREAD_ANNOTATION(capability(x))
#endif
// An RAII type that holds a lock for its lifetime (MutexLock).
#ifndef SCOPED_CAPABILITY
#define SCOPED_CAPABILITY QUIRE_THREAD_ANNOTATION(scoped_lockable)
#endif
// A member read or written only with `x` held.
#ifndef GUARDED_BY
#define GUARDED_BY(x) QUIRE_THREAD_ANNOTATION(guarded_by(x))
#endif
// A pointer member whose pointee is accessed only with `x` held.
#ifndef PT_GUARDED_BY
#define PT_GUARDED_BY(x) QUIRE_THREAD_ANNOTATION(pt_guarded_by(x))
#endif
// A function called only with the locks held / not held.
#ifndef REQUIRES
#define REQUIRES(...) QUIRE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#endif
#ifndef EXCLUDES
#define EXCLUDES(...) QUIRE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#endif
// A function that takes / lets go of the locks.
#ifndef ACQUIRE
#define ACQUIRE(...) QUIRE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#endif
#ifndef RELEASE
#define RELEASE(...) QUIRE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#endif
// A function that checks, at run time, that the lock is held.
#ifndef ASSERT_CAPABILITY
#define ASSERT_CAPABILITY(x) QUIRE_THREAD_ANNOTATION(assert_capability(x))
#endif
// A function the analysis skips (say why where it is used).
#ifndef NO_THREAD_SAFETY_ANALYSIS
#define NO_THREAD_SAFETY_ANALYSIS QUIRE_THREAD_ANNOTATION(no_thread_safety_analysis)
#endif
