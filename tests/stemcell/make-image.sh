#!/bin/sh
# Builds tiny but real vSphere stemcell images for the tests.
# usage: make-image.sh OUTDIR
#
# OUTDIR/stage/            image.ovf and image-disk1.vmdk (stream-optimized,
#                          made by qemu-img from an 8 MiB raw disk)
# OUTDIR/image             gzipped GNU tar of the two (what a stemcell
#                          tarball's `image` file is)
# OUTDIR/image-ova         gzipped tar holding stemcell.ova, a plain ustar
#                          tar of the same two files (descriptor first)
# OUTDIR/image-longname    as `image` plus a file whose name needs a GNU
#                          long-name header
# OUTDIR/image-pax         the same in pax format (extended headers)
# OUTDIR/long-name         the long file name used by the last two
#
# Needs qemu-img (Debian package qemu-utils), GNU tar and gzip.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
command -v qemu-img >/dev/null 2>&1 || {
    echo "make-image.sh: qemu-img not found (apt-get install qemu-utils)" >&2
    exit 1
}

mkdir -p "$out"
stage=$out/stage
ova=$out/ova
rm -rf "$stage" "$ova"
mkdir -p "$stage" "$ova"

# An 8 MiB raw disk with a recognisable first sector.
raw=$out/disk.raw
rm -f "$raw"
truncate -s 8M "$raw"
printf 'vsphere-cpi-c test stemcell disk\n' |
    dd of="$raw" conv=notrunc status=none
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized \
    "$raw" "$stage/image-disk1.vmdk"
rm -f "$raw"
vmdk_size=$(stat -c %s "$stage/image-disk1.vmdk")

# The descriptor: 1 CPU, 512 MB, an LSI Logic SCSI controller holding the
# disk, an IDE controller with a CD-ROM, one E1000 NIC on "VM Network".
cat > "$stage/image.ovf" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
  xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
  xmlns:vmw="http://www.vmware.com/schema/ovf"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
    <File ovf:id="file1" ovf:href="image-disk1.vmdk" ovf:size="$vmdk_size"/>
  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="8"
      ovf:capacityAllocationUnits="byte * 2^20"
      ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
    <Network ovf:name="VM Network">
      <Description>The VM Network network</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="vm">
    <Info>A virtual machine</Info>
    <Name>vm</Name>
    <OperatingSystemSection ovf:id="94" vmw:osType="ubuntu64Guest">
      <Info>The kind of installed guest operating system</Info>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>vm</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
        <rasd:Description>Number of Virtual CPUs</rasd:Description>
        <rasd:ElementName>1 virtual CPU(s)</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>1</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:Description>Memory Size</rasd:Description>
        <rasd:ElementName>512MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>512</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:Description>SCSI Controller</rasd:Description>
        <rasd:ElementName>SCSI Controller 0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>
        <rasd:ResourceType>6</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:Address>1</rasd:Address>
        <rasd:Description>IDE Controller</rasd:Description>
        <rasd:ElementName>IDE 1</rasd:ElementName>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:ResourceType>5</rasd:ResourceType>
      </Item>
      <Item ovf:required="false">
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>false</rasd:AutomaticAllocation>
        <rasd:ElementName>CD-ROM 1</rasd:ElementName>
        <rasd:InstanceID>5</rasd:InstanceID>
        <rasd:Parent>4</rasd:Parent>
        <rasd:ResourceSubType>vmware.cdrom.remotepassthrough</rasd:ResourceSubType>
        <rasd:ResourceType>15</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:ElementName>Hard Disk 1</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
        <rasd:InstanceID>6</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>7</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>VM Network</rasd:Connection>
        <rasd:Description>E1000 ethernet adapter on "VM Network"</rasd:Description>
        <rasd:ElementName>Network adapter 1</rasd:ElementName>
        <rasd:InstanceID>7</rasd:InstanceID>
        <rasd:ResourceSubType>E1000</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
EOF

tar_opts="--owner=0 --group=0 --numeric-owner --mtime=@0"
# shellcheck disable=SC2086
tar -C "$stage" $tar_opts --format=gnu -czf "$out/image" \
    image.ovf image-disk1.vmdk

# shellcheck disable=SC2086
tar -C "$stage" $tar_opts --format=ustar -cf "$ova/stemcell.ova" \
    image.ovf image-disk1.vmdk
# shellcheck disable=SC2086
tar -C "$ova" $tar_opts --format=gnu -czf "$out/image-ova" stemcell.ova

# A 150-character name: GNU long-name ('L') and pax ('x') headers.
long=$(printf 'notes-%0144d' 0)
printf '%s' "$long" > "$out/long-name"
printf 'extra file with a long name\n' > "$stage/$long"
# shellcheck disable=SC2086
tar -C "$stage" $tar_opts --format=gnu -czf "$out/image-longname" \
    image.ovf image-disk1.vmdk "$long"
# shellcheck disable=SC2086
tar -C "$stage" $tar_opts --format=pax -czf "$out/image-pax" \
    image.ovf image-disk1.vmdk "$long"
rm -f "$stage/$long"
