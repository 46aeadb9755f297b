# The first half of test/cross-major/run, on the older major: the model
# that 003_dump_restore.pl dumps, its answers recorded in answers.json
# beside the dump, and the ids that one more change of each kind gets
# after the dump.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::RealBin/../tap";
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use RbacTest;
use Test::More;

my $dir = $ENV{RBAC_CROSS_MAJOR_DIR} or BAIL_OUT('RBAC_CROSS_MAJOR_DIR is not set');

my $source = start_node('source');
my $keys = populate_everything($source);
my @answers = model_answers($source, $keys);
check_source($source, @answers);
dump_node($source, $dir);

my %record = (
	source => $source->safe_psql('postgres', q{SELECT 'PostgreSQL ' || current_setting('server_version')}),
	answers => \@answers,
	keys => $keys,
	next_ids => next_ids($source));
open my $out, '>', "$dir/answers.json" or die "could not write $dir/answers.json: $!";
print $out JSON::PP->new->utf8->canonical->pretty->encode(\%record);
close $out or die "could not write $dir/answers.json: $!";
pass("the answers of $record{source} are recorded beside its dump");

$source->stop;
done_testing();
