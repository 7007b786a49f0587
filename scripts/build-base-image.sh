#!/usr/bin/env bash
# Makes the Dockerfile's base image (Debian bookworm, minimal) from Debian's packages with debootstrap and
# imports it into podman under the tag the Dockerfile's FROM uses. Base images cannot be pulled here; where
# they can, `podman pull` of the same tag does the same job.
#
# The rootfs is cached as a tarball keyed by the ISO week and this script's hash: a cold run takes a minute or
# two, a warm one imports nothing if podman already holds the image with the same key.
set -euo pipefail

TAG=${BASE_IMAGE_TAG:-localhost/debian:bookworm-slim}
SUITE=bookworm
CACHE_DIR=${BASE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mnp-chatbot/base-image}
KEY="$(date -u +%G-W%V)-$(sha256sum "$0" | cut -c1-12)"
TARBALL="$CACHE_DIR/$SUITE-$KEY.tar"

if [ "$(podman image inspect --format '{{index .Labels "org.mnp-chatbot.base-key"}}' "$TAG" 2>/dev/null)" = "$KEY" ]; then
    echo "base image $TAG present (key $KEY)"
    exit 0
fi

mkdir -p "$CACHE_DIR"
if [ ! -s "$TARBALL" ]; then
    # The mirror the host itself uses (deb822 or one-line sources); debootstrap's default otherwise.
    MIRROR=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | grep -v -- '-security' | head -n1 || true)
    if [ -z "$MIRROR" ]; then
        MIRROR=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    fi
    ROOTFS=$(mktemp -d "${TMPDIR:-/tmp}/mnp-rootfs.XXXXXX")
    trap 'rm -rf "$ROOTFS"' EXIT
    echo "debootstrap $SUITE (minbase) into $ROOTFS from ${MIRROR:-debootstrap default}"
    debootstrap --variant=minbase --components=main "$SUITE" "$ROOTFS" ${MIRROR:+"$MIRROR"} >"$ROOTFS.log" 2>&1 \
        || { tail -n 30 "$ROOTFS.log"; exit 1; }
    rm -f "$ROOTFS.log"
    # Updates and security updates too, as in Debian's own images.
    if [ -n "$MIRROR" ]; then
        SECURITY=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*-security\).*/\1/p' /etc/apt/sources.list.d/*.sources \
            2>/dev/null | head -n1 || true)
        {
            echo "deb $MIRROR $SUITE main"
            echo "deb $MIRROR $SUITE-updates main"
            if [ -n "$SECURITY" ]; then echo "deb $SECURITY $SUITE-security main"; fi
        } >"$ROOTFS/etc/apt/sources.list"
    fi
    # Slim like Debian's -slim images: no documentation, no package lists, no caches.
    cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
    echo 'APT::Install-Recommends "false"; APT::Install-Suggests "false";' \
        >"$ROOTFS/etc/apt/apt.conf.d/docker-no-recommends"
    find "$ROOTFS/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
    rm -rf "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/var/lib/apt/lists/* \
        "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/log/*.log
    tar --numeric-owner -C "$ROOTFS" -cf "$TARBALL.part" .
    mv "$TARBALL.part" "$TARBALL"
    # Older keys are of no further use.
    find "$CACHE_DIR" -name "$SUITE-*.tar" ! -name "$(basename "$TARBALL")" -delete
fi

podman import --quiet --change 'CMD ["bash"]' --change "LABEL org.mnp-chatbot.base-key=$KEY" \
    "$TARBALL" "$TAG" >/dev/null
echo "base image $TAG imported (key $KEY)"
