/// \file
/// `KVANT_API`: marks what a shared libkvant exports. The library is compiled with hidden visibility
/// (`-fvisibility=hidden`), so only what carries this mark is part of its ABI; inline and template code in
/// the headers needs no mark. On ELF the mark is the same for building and for using the library; a Windows
/// build would switch between dllexport and dllimport here (KVANT_BUILDING_LIBRARY is defined while compiling
/// libkvant, KVANT_STATIC_LIBRARY for a static one).
#pragma once

#if defined(_WIN32)
#if defined(KVANT_STATIC_LIBRARY)
#define KVANT_API
#elif defined(KVANT_BUILDING_LIBRARY)
#define KVANT_API __declspec(dllexport)
#else
#define KVANT_API __declspec(dllimport)
#endif
#else
#define KVANT_API __attribute__((visibility("default")))
#endif
