"""Builds kvant._kvant with CMake (bindings/python/CMakeLists.txt) for pip.

An installed libkvant is used when CMake finds it (CMAKE_PREFIX_PATH=/its/prefix in the environment, or one
in a default location); otherwise the library is built from the source tree two directories up. Knobs (the
environment): CMAKE_PREFIX_PATH, KVANT_CMAKE_ARGS (more -D options), KVANT_BUILD_JOBS (default 2).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent


def version():
    text = (HERE.parents[1] / "include" / "kvant" / "core" / "version.hpp").read_text()
    parts = [re.search(rf"#define KVANT_VERSION_{p} (\d+)", text).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        out = Path(self.get_ext_fullpath(ext.name)).resolve()
        build = Path(self.build_temp).resolve() / "cmake"
        build.mkdir(parents=True, exist_ok=True)
        args = ["cmake", "-S", str(HERE), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                f"-DPython_EXECUTABLE={sys.executable}"]
        if os.environ.get("CMAKE_PREFIX_PATH"):
            args.append(f"-DCMAKE_PREFIX_PATH={os.environ['CMAKE_PREFIX_PATH']}")
        args += os.environ.get("KVANT_CMAKE_ARGS", "").split()
        subprocess.run(args, check=True)
        subprocess.run(["cmake", "--build", str(build), "--target", "_kvant", "-j",
                        os.environ.get("KVANT_BUILD_JOBS", "2")], check=True)
        built = next((build / "kvant").glob("_kvant*.so"))
        out.parent.mkdir(parents=True, exist_ok=True)
        self.copy_file(str(built), str(out))


setup(version=version(), ext_modules=[Extension("kvant._kvant", sources=[])], cmdclass={"build_ext": CMakeBuild})
