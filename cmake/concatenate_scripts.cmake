# cmake -DOUTPUT=file -DINPUTS="a.js|b.js" -P concatenate_scripts.cmake
# Joins minified scripts into one file, each after a comment naming its package and version,
# written to a temporary file first so a failed run leaves no half-written bundle behind.
set(temporary "${OUTPUT}.tmp")
file(WRITE "${temporary}" "")
string(REPLACE "|" ";" inputs "${INPUTS}")
foreach(input IN LISTS inputs)
  # <package>/build/<name>.min.js: the version comes from <package>/package.json.
  get_filename_component(build_dir "${input}" DIRECTORY)
  get_filename_component(package_dir "${build_dir}" DIRECTORY)
  get_filename_component(package "${package_dir}" NAME)
  file(READ "${package_dir}/package.json" manifest)
  string(JSON version GET "${manifest}" version)
  file(READ "${input}" content)
  file(APPEND "${temporary}" "/* ${package} ${version} */\n${content}\n")
endforeach()
file(RENAME "${temporary}" "${OUTPUT}")
