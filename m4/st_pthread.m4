# AX_PTHREAD_SIMPLE: the sink worker thread needs -pthread; glibc >= 2.34
# has pthreads in libc, older ones need the flag. Sets PTHREAD_CFLAGS/LIBS.
AC_DEFUN([AX_PTHREAD_SIMPLE], [
  AC_MSG_CHECKING([for pthread_create with -pthread])
  st_save_CFLAGS=$CFLAGS
  st_save_LIBS=$LIBS
  CFLAGS="$CFLAGS -pthread"
  LIBS="$LIBS -pthread"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <pthread.h>
static void *f(void *a) { return a; }]],
    [[pthread_t t; return pthread_create(&t, 0, f, 0);]])],
    [AC_MSG_RESULT([yes])
     PTHREAD_CFLAGS=-pthread
     PTHREAD_LIBS=-pthread],
    [AC_MSG_ERROR([pthreads not found: install the Debian package libc6-dev])])
  CFLAGS=$st_save_CFLAGS
  LIBS=$st_save_LIBS
  AC_SUBST([PTHREAD_CFLAGS])
  AC_SUBST([PTHREAD_LIBS])
])
