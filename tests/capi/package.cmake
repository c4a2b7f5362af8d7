# Installs the build into a scratch prefix, then builds examples/c_host against it twice — with
# find_package(kvant) + kvant::c, and by hand with `pkg-config --cflags --libs kvant_c` — and once statically
# with `pkg-config --static --libs kvant_c` (libkvant_c.a and what Libs.private lists), runs each and checks
# the figures it prints (worked out in examples/c_host/README.md).
# -DBUILD_DIR, -DEXAMPLE_DIR, -DWORK_DIR, -DBUILD_TYPE, -DC_COMPILER.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
set(config ${BUILD_TYPE})
if(NOT config)
  set(config Release)
endif()
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()
# 2024-03-11T00:00:00+03:00: ten Moscow days of March read hourly (see examples/c_host/README.md)
set(now 1710104400)
function(check_output how)
  foreach(line "GW-001   day       80.000000 no" "GW-001   night     40.000000 no"
               "GW-001   total    120.000000 no" "GW-002   day      192.000000 no"
               "GW-002   night     96.000000 no" "GW-002   total    288.000000 no"
               "consumption 2024-03 per tariff zone")
    string(FIND "${last_output}" "${line}" found)
    if(found EQUAL -1)
      message(FATAL_ERROR "the ${how} c_host does not print '${line}':\n${last_output}")
    endif()
  endforeach()
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${config})
file(GLOB_RECURSE pc_files ${prefix}/kvant_c.pc)
file(GLOB_RECURSE archives ${prefix}/libkvant_c.a)
if(NOT pc_files OR NOT archives)
  message(FATAL_ERROR "the install holds no kvant_c.pc or libkvant_c.a")
endif()
list(GET pc_files 0 pc_file)
list(GET archives 0 archive)
get_filename_component(pc_dir ${pc_file} DIRECTORY)
get_filename_component(lib_dir ${archive} DIRECTORY)
if(NOT EXISTS ${prefix}/include/kvant.h)
  message(FATAL_ERROR "kvant.h is not installed in ${prefix}/include")
endif()

# find_package(kvant) and kvant::c
run(${CMAKE_COMMAND} -S ${EXAMPLE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=${config})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/c_host ${WORK_DIR}/cmake.db ${now})
check_output("find_package")
string(FIND "${last_output}" "(482 new)" found)  # 2 meters × (240 hours + 1)
if(found EQUAL -1)
  message(FATAL_ERROR "c_host did not push 482 new readings:\n${last_output}")
endif()
run(${WORK_DIR}/build/c_host ${WORK_DIR}/cmake.db ${now})  # again: the same readings, nothing new
string(FIND "${last_output}" "(0 new)" found)
if(found EQUAL -1)
  message(FATAL_ERROR "c_host run twice stored readings again:\n${last_output}")
endif()
check_output("find_package (second run)")

# pkg-config, shared
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${pc_dir})
run(${PKG_CONFIG} --cflags --libs kvant_c)
string(STRIP "${last_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${C_COMPILER} -std=c99 -pedantic -Wall -Wextra -Werror ${EXAMPLE_DIR}/main.c -o ${WORK_DIR}/c_host-pc ${flags})
set(ENV{LD_LIBRARY_PATH} ${lib_dir})
run(${WORK_DIR}/c_host-pc ${WORK_DIR}/pc.db ${now})
check_output("pkg-config")

# pkg-config --static: libkvant_c.a, then exactly what Libs.private names
run(${PKG_CONFIG} --static --cflags --libs kvant_c)
string(STRIP "${last_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
list(TRANSFORM flags REPLACE "^-lkvant_c$" "${archive}")
run(${C_COMPILER} ${EXAMPLE_DIR}/main.c -o ${WORK_DIR}/c_host-static ${flags})
run(${WORK_DIR}/c_host-static ${WORK_DIR}/static.db ${now})
check_output("static")
message(STATUS "c_host built with find_package, pkg-config and pkg-config --static; it printed:\n${last_output}")
