# The charting scripts every HTML report inlines (vega, vega-lite, vega-embed), installed from
# the npm registry at the versions web/package-lock.json pins and concatenated into one data file,
# build/data/report-assets.js, which `wattcast report` reads at run time (docs/REPORT.md).
#
# `npm ci` runs in a build-tree copy of web/ so the source tree stays clean, and only when the
# lock file changes: the stamp it depends on is the lock file itself. Scripts of the packages
# are not run (--ignore-scripts): we only need their prebuilt, minified bundles.

set(WATTCAST_WEB_SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/web)
set(WATTCAST_WEB_BUILD ${CMAKE_CURRENT_BINARY_DIR}/web)
set(WATTCAST_REPORT_ASSETS ${CMAKE_CURRENT_BINARY_DIR}/data/report-assets.js)

find_program(WATTCAST_NPM npm)
if(NOT WATTCAST_NPM)
  message(WARNING "npm not found: `wattcast report` will not work until npm is installed (scripts/install-deps.sh) and the build reconfigured")
  return()
endif()

# The custom command runs in this directory, so it must exist before the command does.
file(MAKE_DIRECTORY ${WATTCAST_WEB_BUILD})
add_custom_command(
  OUTPUT ${WATTCAST_WEB_BUILD}/node_modules/.package-lock.json
  COMMAND ${CMAKE_COMMAND} -E copy ${WATTCAST_WEB_SOURCE}/package.json ${WATTCAST_WEB_SOURCE}/package-lock.json ${WATTCAST_WEB_BUILD}/
  COMMAND ${WATTCAST_NPM} ci --ignore-scripts --no-audit --no-fund --loglevel=error
  WORKING_DIRECTORY ${WATTCAST_WEB_BUILD}
  DEPENDS ${WATTCAST_WEB_SOURCE}/package.json ${WATTCAST_WEB_SOURCE}/package-lock.json
  COMMENT "Installing the report's charting scripts (npm ci in build/web)")

# Order matters: vega-lite and vega-embed attach to the globals the scripts before them define.
set(WATTCAST_REPORT_SCRIPTS
  ${WATTCAST_WEB_BUILD}/node_modules/vega/build/vega.min.js
  ${WATTCAST_WEB_BUILD}/node_modules/vega-lite/build/vega-lite.min.js
  ${WATTCAST_WEB_BUILD}/node_modules/vega-embed/build/vega-embed.min.js)
# A list's ";" would split the command line: the script gets the paths joined by "|".
string(REPLACE ";" "|" WATTCAST_REPORT_SCRIPT_ARGUMENT "${WATTCAST_REPORT_SCRIPTS}")
add_custom_command(
  OUTPUT ${WATTCAST_REPORT_ASSETS}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${WATTCAST_REPORT_ASSETS} "-DINPUTS=${WATTCAST_REPORT_SCRIPT_ARGUMENT}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/concatenate_scripts.cmake
  DEPENDS ${WATTCAST_WEB_BUILD}/node_modules/.package-lock.json ${CMAKE_CURRENT_SOURCE_DIR}/cmake/concatenate_scripts.cmake
  COMMENT "Bundling vega, vega-lite and vega-embed into data/report-assets.js"
  VERBATIM)
add_custom_target(wattcast_report_assets ALL DEPENDS ${WATTCAST_REPORT_ASSETS})
add_dependencies(wattcast wattcast_report_assets)
install(FILES ${WATTCAST_REPORT_ASSETS} DESTINATION ${CMAKE_INSTALL_DATADIR}/wattcast/data)
