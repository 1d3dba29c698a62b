# tests/release/bosh.rb: the parts of bosh-cli's release handling the
# release test needs, in plain Ruby (stdlib only: Debian's ruby package).
#
#   ruby bosh.rb order RELEASE_DIR
#       package names, dependencies first (one a line)
#   ruby bosh.rb deps RELEASE_DIR PACKAGE
#       the package's direct dependencies (one a line)
#   ruby bosh.rb stage RELEASE_DIR PACKAGE DEST
#       copies the package's `files:` from RELEASE_DIR/src (else
#       RELEASE_DIR/blobs) and its packaging script into DEST, as a
#       compilation would see them; prints a sha256 over the spec, the
#       packaging script and every staged file (a cache key)
#   ruby bosh.rb render JOB_DIR PROPERTIES.yml OUT_DIR
#       renders the job's templates into OUT_DIR with the properties of
#       PROPERTIES.yml (the manifest's job properties); bin/* files are
#       made executable
#   ruby bosh.rb ops MANIFEST.yml OPS.yml
#       applies a go-patch ops file (types replace and remove; path
#       segments: index, -, key, key?, name=value) and prints the result
#       as YAML; a segment that does not match is an error, as in bosh
#   ruby bosh.rb lint RELEASE_DIR
#       checks the release's shape: config/final.yml names it, every
#       blob of config/blobs.yml belongs to a package and every package
#       file under blobs/ is listed there, every job's templates exist,
#       its monit file exists and its packages are in packages/
#
# Rendering follows BOSH's template semantics:
#   - only properties declared in the job spec are visible; each takes the
#     manifest's value (looked up by its dotted name through nested
#     hashes), else the spec's default, else it is unset (nil);
#   - p(name) returns the value, p([a, b]) the first that is set,
#     p(name, default) the default when unset; an unset name without a
#     default raises UnknownProperty naming it;
#   - if_p(a, b…) { |va, vb…| } runs the block only when every name is set
#     and returns an object whose else { } / else_if_p(…) { } run
#     otherwise;
#   - spec.name, spec.deployment, spec.index, spec.id, spec.az,
#     spec.bootstrap, spec.address, spec.ip, spec.networks describe the
#     instance;
#   - templates are ERB with trim mode "-".
# Errors go to stderr with exit status 1.

require 'digest'
require 'erb'
require 'fileutils'
require 'json'
require 'ostruct'
require 'yaml'

class UnknownProperty < StandardError
  def initialize(names)
    super("Can't find property '#{names.inspect}'")
  end
end

def fail!(msg)
  warn "bosh.rb: #{msg}"
  exit 1
end

def load_yaml(path)
  YAML.safe_load(File.read(path), aliases: false) || {}
rescue Psych::Exception => e
  fail!("#{path}: #{e.message}")
end

# --- packages ---------------------------------------------------------

def package_spec(release, name)
  path = File.join(release, 'packages', name, 'spec')
  fail!("package #{name}: no spec") unless File.file?(path)
  spec = load_yaml(path)
  fail!("#{path}: not a hash") unless spec.is_a?(Hash)
  fail!("#{path}: name is not #{name}") unless spec['name'] == name
  spec
end

def package_names(release)
  Dir.children(File.join(release, 'packages')).sort.select do |n|
    File.directory?(File.join(release, 'packages', n))
  end
end

def dependency_order(release)
  names = package_names(release)
  deps = names.to_h { |n| [n, Array(package_spec(release, n)['dependencies'])] }
  order = []
  state = {}
  visit = lambda do |n, chain|
    fail!("package #{chain.last}: unknown dependency #{n}") unless deps.key?(n)
    fail!("dependency cycle: #{(chain + [n]).join(' -> ')}") if state[n] == :active
    return if state[n] == :done

    state[n] = :active
    deps[n].each { |d| visit.call(d, chain + [n]) }
    state[n] = :done
    order << n
  end
  names.each { |n| visit.call(n, []) }
  order
end

def stage(release, name, dest)
  spec = package_spec(release, name)
  dir = File.join(release, 'packages', name)
  packaging = File.join(dir, 'packaging')
  fail!("package #{name}: no packaging script") unless File.file?(packaging)
  excluded = Array(spec['excluded_files'])
  digest = Digest::SHA256.new
  digest << File.read(File.join(dir, 'spec')) << File.read(packaging)
  FileUtils.rm_rf(dest)
  FileUtils.mkdir_p(dest)
  Array(spec['files']).each do |glob|
    base = nil
    matches = []
    %w[src blobs].each do |root|
      base = File.join(release, root)
      matches = Dir.glob(glob, base: base).select do |f|
        File.file?(File.join(base, f)) &&
          excluded.none? { |x| File.fnmatch?(x, f, File::FNM_PATHNAME) }
      end
      break unless matches.empty?
    end
    fail!("package #{name}: `#{glob}` matches no file in src/ or blobs/") if matches.empty?
    matches.sort.each do |f|
      target = File.join(dest, f)
      FileUtils.mkdir_p(File.dirname(target))
      FileUtils.cp(File.join(base, f), target)
      digest << f << "\0" << Digest::SHA256.file(target).hexdigest
    end
  end
  FileUtils.cp(packaging, File.join(dest, 'packaging'))
  digest.hexdigest
end

# --- templates --------------------------------------------------------

# The value at a dotted name in nested hashes, or nil.
def lookup(hash, name)
  name.split('.').reduce(hash) do |node, key|
    return nil unless node.is_a?(Hash) && node.key?(key)

    node[key]
  end
end

def set_path(hash, name, value)
  keys = name.split('.')
  last = keys.pop
  node = keys.reduce(hash) { |h, k| h[k] = {} unless h[k].is_a?(Hash); h[k] }
  node[last] = value
end

class ActiveElseBlock
  def else; end

  def else_if_p(*_names)
    self
  end
end

class InactiveElseBlock
  def initialize(context)
    @context = context
  end

  def else
    yield
  end

  def else_if_p(*names, &block)
    @context.if_p(*names, &block)
  end
end

class RenderContext
  attr_reader :spec

  def initialize(properties, spec)
    @properties = properties
    @spec = spec
  end

  def p(*args)
    names = Array(args[0])
    names.each do |name|
      value = lookup(@properties, name)
      return value unless value.nil?
    end
    return args[1] if args.length == 2

    raise UnknownProperty, names
  end

  def if_p(*names)
    values = names.map do |name|
      value = lookup(@properties, name)
      return InactiveElseBlock.new(self) if value.nil?

      value
    end
    yield(*values)
    ActiveElseBlock.new
  end

  def get_binding
    binding
  end
end

def render(job_dir, props_path, out)
  spec = load_yaml(File.join(job_dir, 'spec'))
  manifest = load_yaml(props_path)
  fail!("#{props_path}: not a hash") unless manifest.is_a?(Hash)
  properties = {}
  (spec['properties'] || {}).each do |name, decl|
    value = lookup(manifest, name)
    value = Marshal.load(Marshal.dump(decl['default'])) if value.nil? && decl.is_a?(Hash)
    set_path(properties, name, value) unless value.nil?
  end
  instance = OpenStruct.new(
    name: spec['name'], deployment: 'release-test', index: 0,
    id: '00000000-0000-0000-0000-000000000000', az: 'z1',
    bootstrap: true, address: '10.0.0.5', ip: '10.0.0.5', networks: {}
  )
  (spec['templates'] || {}).each do |src, dst|
    text = File.read(File.join(job_dir, 'templates', src))
    erb = ERB.new(text, trim_mode: '-')
    erb.filename = src
    begin
      result = erb.result(RenderContext.new(properties, instance).get_binding)
    rescue StandardError => e
      fail!("#{src}: #{e.class}: #{e.message}")
    end
    target = File.join(out, dst)
    FileUtils.mkdir_p(File.dirname(target))
    File.write(target, result)
    File.chmod(dst.start_with?('bin/') ? 0o755 : 0o644, target)
  end
end


# --- ops files --------------------------------------------------------

def ops_segments(path)
  fail!("ops path #{path.inspect} must start with /") unless path.start_with?('/')
  path.split('/', -1).drop(1).map do |seg|
    optional = seg.end_with?('?')
    seg = seg.chomp('?')
    if seg == '-' then { kind: :append }
    elsif seg =~ /\A\d+\z/ then { kind: :index, index: seg.to_i }
    elsif seg.include?('=')
      key, value = seg.split('=', 2)
      { kind: :match, key: key, value: value.chomp('?'), optional: optional }
    else { kind: :key, key: seg, optional: optional }
    end
  end
end

def ops_apply(doc, op)
  segs = ops_segments(op['path'])
  fail!("ops: empty path") if segs.empty?
  parent = nil
  node = doc
  where = nil
  optional = false # a ? segment makes the rest of the path optional
  segs.each_with_index do |seg, i|
    last = i == segs.length - 1
    optional ||= seg[:optional]
    case seg[:kind]
    when :key
      fail!("ops #{op['path']}: #{seg[:key]} is not under a hash") unless node.is_a?(Hash)
      unless node.key?(seg[:key])
        fail!("ops #{op['path']}: no key #{seg[:key]}") unless optional
        node[seg[:key]] = last ? nil : (segs[i + 1][:kind] == :append ? [] : {})
      end
      parent, where = node, seg[:key]
    when :index
      fail!("ops #{op['path']}: index under a non-list") unless node.is_a?(Array)
      fail!("ops #{op['path']}: index #{seg[:index]} out of range") if seg[:index] >= node.length
      parent, where = node, seg[:index]
    when :match
      fail!("ops #{op['path']}: #{seg[:key]}= under a non-list") unless node.is_a?(Array)
      found = node.each_index.select do |j|
        node[j].is_a?(Hash) && node[j][seg[:key]].to_s == seg[:value]
      end
      if found.length != 1
        if found.empty? && optional
          node << { seg[:key] => seg[:value] }
          found = [node.length - 1]
        else
          fail!("ops #{op['path']}: #{found.length} items match #{seg[:key]}=#{seg[:value]}")
        end
      end
      parent, where = node, found.first
    when :append
      fail!("ops #{op['path']}: - is only allowed last") unless last
      fail!("ops #{op['path']}: - under a non-list") unless node.is_a?(Array)
      fail!("ops #{op['path']}: cannot remove -") if op['type'] == 'remove'
      node << nil
      parent, where = node, node.length - 1
    end
    node = parent[where]
  end
  case op['type']
  when 'replace' then parent[where] = Marshal.load(Marshal.dump(op['value']))
  when 'remove' then parent.is_a?(Array) ? parent.delete_at(where) : parent.delete(where)
  else fail!("ops: unsupported type #{op['type'].inspect}")
  end
end

def ops(manifest_path, ops_path)
  doc = load_yaml(manifest_path)
  list = load_yaml(ops_path)
  fail!("#{ops_path}: not a list") unless list.is_a?(Array)
  list.each { |op| ops_apply(doc, op) }
  puts doc.to_yaml
end

# --- release shape ----------------------------------------------------

def lint(release)
  final = load_yaml(File.join(release, 'config', 'final.yml'))
  fail!('config/final.yml: no name') if final['name'].to_s.empty?
  blobs = load_yaml(File.join(release, 'config', 'blobs.yml'))
  fail!('config/blobs.yml: not a hash') unless blobs.is_a?(Hash)
  blobs.each do |path, info|
    unless info.is_a?(Hash) && info['size'].is_a?(Integer) &&
           info['sha'].to_s =~ /\Asha256:\h{64}\z/
      fail!("config/blobs.yml: #{path}: needs size and sha: sha256:HEX")
    end
  end
  used = {}
  package_names(release).each do |name|
    spec = package_spec(release, name)
    Array(spec['files']).each do |glob|
      blobs.each_key { |b| used[b] = true if File.fnmatch?(glob, b, File::FNM_PATHNAME) }
    end
  end
  blobs.each_key { |b| fail!("blob #{b} is used by no package") unless used[b] }
  Dir.glob('**/*', base: File.join(release, 'blobs')).each do |f|
    next unless File.file?(File.join(release, 'blobs', f))
    fail!("blobs/#{f} is not listed in config/blobs.yml") unless blobs.key?(f)
  end
  Dir.children(File.join(release, 'jobs')).sort.each do |job|
    dir = File.join(release, 'jobs', job)
    spec = load_yaml(File.join(dir, 'spec'))
    fail!("job #{job}: spec name is #{spec['name'].inspect}") unless spec['name'] == job
    fail!("job #{job}: no monit file") unless File.file?(File.join(dir, 'monit'))
    (spec['templates'] || {}).each_key do |t|
      fail!("job #{job}: template #{t} missing") unless File.file?(File.join(dir, 'templates', t))
    end
    Array(spec['packages']).each do |p|
      fail!("job #{job}: package #{p} missing") unless package_names(release).include?(p)
    end
  end
  puts "release #{final['name']}: #{package_names(release).length} packages, " \
       "#{blobs.length} blobs"
end

case ARGV[0]
when 'order'
  fail!('usage: order RELEASE_DIR') unless ARGV.length == 2
  puts dependency_order(ARGV[1])
when 'deps'
  fail!('usage: deps RELEASE_DIR PACKAGE') unless ARGV.length == 3
  puts Array(package_spec(ARGV[1], ARGV[2])['dependencies'])
when 'stage'
  fail!('usage: stage RELEASE_DIR PACKAGE DEST') unless ARGV.length == 4
  puts stage(ARGV[1], ARGV[2], ARGV[3])
when 'render'
  fail!('usage: render JOB_DIR PROPERTIES.yml OUT_DIR') unless ARGV.length == 4
  render(ARGV[1], ARGV[2], ARGV[3])
when 'ops'
  fail!('usage: ops MANIFEST.yml OPS.yml') unless ARGV.length == 3
  ops(ARGV[1], ARGV[2])
when 'lint'
  fail!('usage: lint RELEASE_DIR') unless ARGV.length == 2
  lint(ARGV[1])
else
  fail!('usage: bosh.rb order|stage|render|ops|lint …')
end
