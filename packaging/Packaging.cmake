# Install layout and the Debian package (CPack). Included from the top-level CMakeLists.txt.
#
#   cmake --install build --prefix /opt/latentlens    # a relocatable install tree
#   cd build && cpack -G DEB                            # latentlens_<version>-1_<arch>.deb
#
# Layout under the prefix (/usr in the .deb):
#   bin/latentlens, bin/latentlens-cli                  (install rules in app/ and app/gui/)
#   share/latentlens/models/fmnist32/                   the embedded default model
#   share/applications/latentlens.desktop               desktop menu entry (GUI builds only)
#   share/icons/hicolor/<N>x<N>/apps/latentlens.png     icons (GUI builds only)
#   share/doc/latentlens/                               README and user guide
#   share/man/man1/latentlens{,-cli}.1.gz               manual pages
#
# The programs find the default model at <exe dir>/../share/latentlens/models/fmnist32 (see
# core/model/ModelFolder.cpp), so any prefix works without rebuilding; keep the model here in
# step with that path.

set(LATENTLENS_PACKAGING_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/resources/models/fmnist32"
        DESTINATION share/latentlens/models
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION share/doc/latentlens)
if(EXISTS "${PROJECT_SOURCE_DIR}/docs/guide.md")
  install(FILES "${PROJECT_SOURCE_DIR}/docs/guide.md" DESTINATION share/doc/latentlens)
endif()

# Manual pages, gzipped as Debian wants them (at configure time; editing a page reconfigures).
set(LATENTLENS_MAN_PAGES latentlens-cli.1)
if(LATENTLENS_BUILD_GUI)
  list(APPEND LATENTLENS_MAN_PAGES latentlens.1)
endif()
file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/packaging")
foreach(page ${LATENTLENS_MAN_PAGES})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${LATENTLENS_PACKAGING_DIR}/${page}")
  file(ARCHIVE_CREATE OUTPUT "${CMAKE_BINARY_DIR}/packaging/${page}.gz"
       PATHS "${LATENTLENS_PACKAGING_DIR}/${page}" FORMAT raw COMPRESSION GZip)
  install(FILES "${CMAKE_BINARY_DIR}/packaging/${page}.gz" DESTINATION share/man/man1)
endforeach()

if(LATENTLENS_BUILD_GUI)
  install(FILES "${LATENTLENS_PACKAGING_DIR}/latentlens.desktop" DESTINATION share/applications)
  foreach(size 16 32 48 64 128 256)
    install(FILES "${PROJECT_SOURCE_DIR}/resources/icons/latentlens-${size}.png"
            DESTINATION share/icons/hicolor/${size}x${size}/apps
            RENAME latentlens.png)
  endforeach()
endif()

# --- CPack: one binary package, latentlens, installing under /usr --------------------------------
set(LATENTLENS_PACKAGE_MAINTAINER "LatentLens developers <latentlens@example.org>" CACHE STRING
    "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME latentlens)
set(CPACK_PACKAGE_VENDOR "LatentLens")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${LATENTLENS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "see and steer the latent space of diffusion models")
# Debian wraps nothing: one line per line of the extended description, under 80 columns.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "LatentLens loads a diffusers UNet2DModel checkpoint, generates and inverts"
  "images with DDIM and finds the semantic directions of its latent space from"
  "the Jacobian of the U-Net's middle-block features (Park et al., NeurIPS 2023)."
  ""
  "The desktop application, latentlens, edits images along those directions"
  "with sliders and exports images, strips, GIF/MP4 traversals and the"
  "directions; latentlens-cli scripts the same operations. A small"
  "Fashion-MNIST model is included, so it works out of the box on the CPU.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${LATENTLENS_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# dpkg-shlibdeps (dpkg-dev) computes the library packages from the binaries' NEEDED entries.
# What it cannot see: LibTorch calls BLAS through libblas.so.3, which Debian's alternatives
# system points at the reference BLAS unless OpenBLAS is installed; installing OpenBLAS's pthread
# variant makes it the automatic choice (it runs many times faster than the reference BLAS).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/_CPack_Packages/")

include(CPack)
