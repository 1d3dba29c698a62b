# tests/release/drive.rb: calls a rendered vsphere_cpi job's bin/cpi the
# way bosh create-env does (BOSH_PACKAGES_DIR and BOSH_JOBS_DIR set, the
# request on stdin, the response read from stdout) with the environment a
# Director gives a CPI (PATH, HOME, TMPDIR and nothing else).
#
#   ruby drive.rb call ROOT METHOD ARGS_JSON [CONTEXT_JSON]
#       one call; prints the result as JSON, or "TYPE: MESSAGE" for an
#       error response; exit 0 for a result, 1 for an error response, 2
#       when the process failed or wrote no JSON response
#   ruby drive.rb lifecycle ROOT IMAGE SECRET...
#       info, create_stemcell(IMAGE), create_vm (one IPv4 and one IPv6
#       network), has_vm, set_vm_metadata, delete_vm, has_vm,
#       delete_stemcell; prints "ok - …" / "FAIL - …" per check; exit 1
#       when a check failed
#
# ROOT holds jobs/vsphere_cpi and packages/.  No call's stdout or stderr
# may contain a SECRET (nor the create_vm env password used here).
# DRIVE_CPI_ENV, a JSON object of strings, adds variables to the CPI's
# environment (run.sh: the release binary ignores the test hooks').

require 'ipaddr'
require 'json'
require 'open3'

ENV_SECRET = 'env-Secret-5d1e'.freeze

def run_cpi(root, method, args, context = {})
  env = {
    'PATH' => '/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME' => ENV.fetch('HOME', '/tmp'),
    'TMPDIR' => ENV.fetch('TMPDIR', '/tmp'),
    'BOSH_PACKAGES_DIR' => File.join(root, 'packages'),
    'BOSH_JOBS_DIR' => File.join(root, 'jobs')
  }
  env.merge!(JSON.parse(ENV['DRIVE_CPI_ENV'])) if ENV['DRIVE_CPI_ENV']
  context = { 'director_uuid' => 'release-test-director' }.merge(context)
  request = JSON.generate('method' => method, 'arguments' => args,
                          'context' => context, 'api_version' => 2)
  bin = File.join(root, 'jobs', 'vsphere_cpi', 'bin', 'cpi')
  out, err, status = Open3.capture3(env, bin, stdin_data: request,
                                    unsetenv_others: true)
  response = begin
    JSON.parse(out)
  rescue JSON::ParserError
    nil
  end
  response = nil unless response.is_a?(Hash)
  [response, out, err, status]
end

def describe_error(response)
  e = response['error']
  "#{e['type']}: #{e['message']}"
end

def call(root, method, args_json, context_json)
  response, out, err, status = run_cpi(root, method, JSON.parse(args_json),
                                       JSON.parse(context_json || '{}'))
  if response.nil? || !status.success?
    warn "#{method}: exit #{status.exitstatus}, stdout #{out[0, 300].inspect}"
    warn err.lines.last(10).join
    exit 2
  end
  if response['error']
    puts describe_error(response)
    exit 1
  end
  puts JSON.generate(response['result'])
end

class Lifecycle
  def initialize(root, image, secrets)
    @root = root
    @image = image
    @secrets = secrets + [ENV_SECRET]
    @failed = 0
  end

  attr_reader :failed

  def check(name, cond, detail = nil)
    if cond
      puts "ok - #{name}"
    else
      puts "FAIL - #{name}#{detail ? ": #{detail}" : ''}"
      @failed += 1
    end
    cond
  end

  # One call, with the checks every call gets.  Returns the result, or
  # nil (and counts a failure) on an error response.
  def cpi(method, args)
    response, out, err, status = run_cpi(@root, method, args)
    check("#{method}: exit status 0", status.success?,
          "exit #{status.exitstatus}: #{err.lines.last(5).join}")
    leaked = @secrets.select { |s| out.include?(s) || err.include?(s) }
    check("#{method}: no secret in stdout or stderr", leaked.empty?,
          "#{leaked.length} secret(s) leaked")
    return nil unless check("#{method}: one JSON response", response,
                            out[0, 200].inspect)

    ok = check("#{method}: no error", response['error'].nil?,
               response['error'] && describe_error(response))
    ok ? response['result'] : nil
  end

  def networks
    {
      'v4' => {
        'type' => 'manual', 'ip' => '10.0.0.10',
        'netmask' => '255.255.255.0', 'gateway' => '10.0.0.1',
        'dns' => ['10.0.0.2'], 'default' => %w[dns gateway],
        'cloud_properties' => { 'name' => 'BOSH-V4' }
      },
      'v6' => {
        'type' => 'manual', 'ip' => '2001:db8::10',
        'netmask' => 'ffff:ffff:ffff:ffff::', 'gateway' => '2001:db8::1',
        'cloud_properties' => { 'name' => 'BOSH-V6' }
      }
    }
  end

  # The networks create_vm returns are the ones it was given, addresses
  # compared as addresses (the CPI writes IPv6 in full).
  def same_networks?(got)
    return false unless got.is_a?(Hash) && got.keys.sort == networks.keys.sort

    networks.all? do |name, want|
      net = got[name]
      net.is_a?(Hash) &&
        %w[ip netmask gateway].all? do |k|
          IPAddr.new(net[k].to_s) == IPAddr.new(want[k])
        rescue IPAddr::Error
          false
        end &&
        net['type'] == want['type'] &&
        net['cloud_properties'] == want['cloud_properties']
    end
  end

  # The agent settings the VM got (env.iso on the simulator's datastore,
  # a directory under RELEASE_TEST_DATASTORES) carry the blobstore of
  # RELEASE_TEST_BLOBSTORE, as the rendered cpi.json gave it.
  def check_settings(vm)
    root = ENV['RELEASE_TEST_DATASTORES']
    want = ENV['RELEASE_TEST_BLOBSTORE']
    return if root.nil? || want.nil?

    isos = Dir.glob(File.join(root, 'govcsim-*', vm, 'env.iso'))
    return unless check('create_vm: env.iso on the datastore', isos.length == 1,
                        "#{isos.length} found under #{root}")

    text, status = Open3.capture2('bsdtar', '-xOf', isos[0], 'env')
    settings = status.success? ? JSON.parse(text) : nil
    check('create_vm: agent settings carry the blobstore of cpi.json',
          settings.is_a?(Hash) && settings['blobstore'] == JSON.parse(want),
          settings.is_a?(Hash) ? settings['blobstore'].inspect : 'unreadable')
  rescue JSON::ParserError => e
    check('create_vm: agent settings are JSON', false, e.message)
  end

  def run
    info = cpi('info', [])
    check('info: api_version 2 and the vsphere-ovf format',
          info.is_a?(Hash) && info['api_version'] == 2 &&
          Array(info['stemcell_formats']).include?('vsphere-ovf'),
          info.inspect)

    stemcell = cpi('create_stemcell', [@image, {}])
    check('create_stemcell: sc-<uuid>',
          stemcell.is_a?(String) && stemcell.start_with?('sc-'),
          stemcell.inspect)
    return unless stemcell.is_a?(String)

    env = { 'bosh' => { 'password' => ENV_SECRET, 'group' => 'release-test' } }
    created = cpi('create_vm', ['agent-release-test', stemcell,
                                { 'cpu' => 1, 'ram' => 512, 'disk' => 1024 },
                                networks, [], env])
    check('create_vm: [vm-<uuid>, networks] (API v2)',
          created.is_a?(Array) && created[0].to_s.start_with?('vm-') &&
          same_networks?(created[1]), created.inspect)
    if created.is_a?(Array) && created[0].is_a?(String)
      vm = created[0]
      check('has_vm: true after create_vm', cpi('has_vm', [vm]) == true)
      check_settings(vm)
      cpi('set_vm_metadata', [vm, { 'deployment' => 'release-test',
                                    'director' => 'bosh-init' }])
      cpi('delete_vm', [vm])
      check('has_vm: false after delete_vm', cpi('has_vm', [vm]) == false)
    end
    cpi('delete_stemcell', [stemcell])
  end
end

case ARGV[0]
when 'call'
  abort 'usage: call ROOT METHOD ARGS_JSON [CONTEXT_JSON]' unless [4, 5].include?(ARGV.length)
  call(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
when 'lifecycle'
  abort 'usage: lifecycle ROOT IMAGE SECRET...' unless ARGV.length >= 3
  l = Lifecycle.new(ARGV[1], ARGV[2], ARGV[3..])
  l.run
  exit(l.failed.zero? ? 0 : 1)
else
  abort 'usage: drive.rb call|lifecycle …'
end
