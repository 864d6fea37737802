// Compile-time fence (STYLE.md §6.2): everything under src/core/ is PostgreSQL-free C++ that
// also runs in the standalone pgwatch-rpc binary. Including a PostgreSQL header before this
// one is a layering mistake; the build stops here instead of at a confusing link error.
#pragma once
#ifdef POSTGRES_H
#error "src/core must not see PostgreSQL headers: go through src/pg/ instead"
#endif
